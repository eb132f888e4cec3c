"""The hall's own queue: tickets issued, called, recalled, transferred (一键取号, 叫号)."""
