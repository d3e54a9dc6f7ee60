"""Money as people read and type it: amounts are stored in integer fen (分), typed and shown in
yuan (元) with two decimals, converted with ``Decimal`` — never a float (DESIGN.md "Data
rules")."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100


def fen_to_yuan(fen: int) -> Decimal:
    """12345 → Decimal("123.45")."""
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def yuan_to_fen(yuan: Decimal | str | int) -> int:
    """Decimal("123.45") → 12345; a third decimal rounds half up. ValueError when ``yuan`` is
    not a number."""
    try:
        value = Decimal(str(yuan).strip()) if not isinstance(yuan, Decimal) else yuan
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValueError(f"not an amount: {yuan!r}") from None
    return int((value * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_yuan(fen: int | None, *, symbol: bool = True) -> str:
    """12345 → "¥123.45", 123456789 → "¥1,234,567.89" (the same in Chinese and English)."""
    if fen is None:
        return ""
    text = f"{fen_to_yuan(fen):,.2f}"
    return f"¥{text}" if symbol else text
