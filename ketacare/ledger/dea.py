"""DEA registration numbers: two letters and seven digits, the last a check digit
(sum of digits 1, 3, 5 plus twice the sum of digits 2, 4, 6; its last digit)."""

import re

DEA_RE = re.compile(r"^[A-Z][A-Z9]\d{7}$")


def is_valid_dea_number(value: str) -> bool:
    value = (value or "").strip().upper()
    if not DEA_RE.match(value):
        return False
    d = [int(c) for c in value[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]
