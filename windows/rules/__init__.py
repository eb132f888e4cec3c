"""The hall's shared rules, one definition each (architecture.md, "one rule, one place").

- `rounding`: percentages and decimals, half up, with the contract's decimals;
- `hall_time`: the hall's local day, week and month, from the hall's own time zone.

The rules about ratings (good / bad / excluded) live in `evaluations.rules`
(evaluations/rules.py, used by Rating.objects.good() / bad() / excluded()), and who may act
in a hall in `windows.roles`.
"""
