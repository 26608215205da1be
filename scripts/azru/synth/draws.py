"""Deterministic pseudo-random draws and row ids, from (seed, salt, row index) alone.

A draw is a polars expression of the row index, never state carried from row to row: any table can
recompute another table's draws for any row, and the same seed always gives the same cells.
"""

import random
from collections.abc import Sequence

import polars as pl

from azru.ids import CROCKFORD, RANDOM_LENGTH

# 2**31 - 1 is prime, and residues below it multiply without overflowing Int64.
PRIME = 2_147_483_647
ID_SPACE = len(CROCKFORD) ** RANDOM_LENGTH
ID_HALF = 2**25
ID_ROUNDS = 3


class Draws:
    """Pseudo-random integers per row, from (seed, salt, row index) alone."""

    def __init__(self, seed: int, prefixes: dict[str, str]) -> None:
        self.seed = seed
        self.prefixes = prefixes  # table -> the id prefix its descriptor declares

    def _constants(self, salt: str, count: int, limit: int) -> list[int]:
        rng = random.Random(f"{self.seed}/{salt}")
        return [rng.randrange(1, limit) for _ in range(count)]

    def draw(self, index: pl.Expr, salt: str) -> pl.Expr:
        """A value in [0, 2**31 - 1), well spread for consecutive indices."""
        a, b, c, d = self._constants(salt, 4, PRIME)
        x = (index * a + b) % PRIME
        x = x.xor(x // 2**16)  # folds high bits into the low ones, which `% k` keeps
        return (x * c + d) % PRIME

    def below(self, index: pl.Expr, salt: str, bound: int | pl.Expr) -> pl.Expr:
        return self.draw(index, salt) % bound

    def chance(self, index: pl.Expr, salt: str, percent: int) -> pl.Expr:
        return self.below(index, salt, 100) < percent

    def pick(self, index: pl.Expr, salt: str, values: Sequence[str]) -> pl.Expr:
        return choose(self.below(index, salt, len(values)), values)

    def id(self, table: str, index: pl.Series) -> pl.Series:
        """The ids of rows `index` of `table`: a bijection of the index, so ids never collide."""
        constants = self._constants(f"ids/{table}", 2 * ID_ROUNDS, ID_HALF)
        # Each step (odd multiplier, addition, xor of the high half into the low one) is invertible
        # modulo 2**50; together they scatter consecutive rows over the whole id space. Series rather
        # than expressions, so that each step is computed once.
        x = index
        for multiplier, offset in zip(constants[::2], constants[1::2], strict=True):
            x = (times_mod_id_space(x, multiplier | 1) + offset) % ID_SPACE
            x = x ^ (x // ID_HALF)
        digit_pairs = pl.Series([a + b for a in CROCKFORD for b in CROCKFORD])
        base = len(digit_pairs)
        pairs = [digit_pairs.gather((x // base**k) % base) for k in reversed(range(RANDOM_LENGTH // 2))]
        return pl.select(pl.concat_str([pl.lit(f"{self.prefixes[table]}-"), *pairs])).to_series()


def times_mod_id_space(x: pl.Series, multiplier: int) -> pl.Series:
    """(x * multiplier) mod 2**50 for multiplier < 2**25, in halves so that no product overflows Int64."""
    high, low = x // ID_HALF, x % ID_HALF
    product: pl.Series = (low * multiplier + (high * multiplier % ID_HALF) * ID_HALF) % ID_SPACE
    return product


def choose(index: pl.Expr, values: Sequence[str]) -> pl.Expr:
    """values[index], with "" standing for an empty cell."""
    mapping = {i: value or None for i, value in enumerate(values)}
    return index.replace_strict(mapping, return_dtype=pl.String)
