"""Latin letters read the way Mandarin speakers spell them (CEO, 5G, APP, NBA).

The usual Chinese letter names, for voices with only Mandarin sounds; latin.py decides
which tokens are spelled (acronyms) and which are read as words.
"""

from __future__ import annotations

LETTERS = {
    "A": ("ei1",), "B": ("bi4",), "C": ("xi1",), "D": ("di4",), "E": ("yi4",), "F": ("ai2", "fu5"),
    "G": ("ji4",), "H": ("ei1", "qi1"), "I": ("ai4",), "J": ("jie4",), "K": ("kei4",), "L": ("ai2", "lou5"),
    "M": ("ai2", "mu5"), "N": ("en1",), "O": ("ou1",), "P": ("pi1",), "Q": ("qiu1",), "R": ("a4", "er5"),
    "S": ("ai2", "si5"), "T": ("ti1",), "U": ("you1",), "V": ("wei1",), "W": ("da2", "bu5", "liu5"),
    "X": ("ai2", "ke4", "si5"), "Y": ("wai1",), "Z": ("zei4",),
}


def is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()

