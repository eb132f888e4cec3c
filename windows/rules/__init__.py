"""The hall's shared rules, one definition each (architecture.md, "one rule, one place").

- `rounding`: percentages and decimals, half up, with the contract's decimals;
- `hall_time`: the hall's local day, week and month, from the hall's own time zone.

The rules about ratings (good / bad / excluded) live with the Rating model
(evaluations.rules.rating_classes), and who may act in a hall in windows.roles.
"""
