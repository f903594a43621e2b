"""How Latin words are read: pronunciations, the Mandarin approximation, Kokoro's English symbols,
the signs around words, and the English spans phrases carry to the engines.

(test_latin_table.py holds the table of ≥ 100 mixed sentences; these tests pin the rules.)
"""

from __future__ import annotations

import json
import random

import pytest

from tts.engines.kokoro import DEFAULT_VOICES_DIR, load_vocab
from tts.engines.kokoro_phonemes import (
    EDGE, ENGLISH, MANDARIN, english_phonemes, phrase_phonemes, phrase_pieces, syllable_phonemes, token_roles,
)
from tts.frontend import analyze, analyze_text, normalize
from tts.frontend.english import by_rules, dictionary, lookup, spell
from tts.frontend.latin import fold, read
from tts.frontend.phrase import Phrase
from tts.frontend.syllables import is_syllable
from tts.frontend.transliterate import to_pinyin


def _sample(count: int, seed: int = 18) -> list[tuple[str, str]]:
    words = sorted(dictionary().items())
    return random.Random(seed).sample(words, count)


# -- English pronunciations -------------------------------------------------------------------
def test_the_dictionary_gives_cmu_pronunciations():
    assert lookup("hello") == "HH AH0 L OW1"
    assert lookup("Google") == "G UW1 G AH0 L"


def test_a_word_the_dictionary_lacks_is_read_as_two_of_its_words():
    assert "chatbot" not in dictionary()
    assert lookup("chatbot") == f"{dictionary()['chat']} {dictionary()['bot']}"


@pytest.mark.parametrize(("word", "arpabet"), [
    ("make", "M EY1 K"), ("shop", "SH AA1 P"), ("phone", "F OW1 N"), ("nation", "N AE1 SH AH0 N"),
    ("cell", "S EH1 L"), ("night", "N AY1 T"),
])
def test_letter_to_sound_rules_get_common_spellings_right(word, arpabet):
    assert by_rules(word) == arpabet


def test_letters_are_spelled_with_their_english_names():
    assert spell("GPU") == "JH IY1 P IY1 Y UW1"


# -- Mandarin approximation (voices without English sounds) ----------------------------------------
@pytest.mark.parametrize(("arpabet", "syllables"), [
    ("HH AH0 L OW1", ["he1", "lou1"]),                 # hello
    ("AY1 F OW2 N", ["ai1", "feng1"]),                 # iPhone: 爱疯
    ("W AY1 F AY2", ["wai1", "fei1"]),                 # WiFi
    ("T EH1 S T", ["tai1", "si1", "te5"]),             # test: a coda consonant gets a syllable
    ("S T R IY1 T", ["si1", "te1", "ri1", "te5"]),     # street: a cluster gets epenthetic vowels
    ("T AA1 M", ["tan1", "mu5"]),                      # Tom: 汤姆
    ("K AA1 R", ["ka1"]),                              # car: a coda r is not said
])
def test_english_is_approximated_by_mandarin_syllables(arpabet, syllables):
    assert to_pinyin(arpabet) == syllables


def test_every_dictionary_word_becomes_syllables_the_voices_have():
    for word, arpabet in _sample(3000):
        made = to_pinyin(arpabet)
        assert made and all(is_syllable(s) for s in made), (word, arpabet, made)


# -- Kokoro's English symbols ------------------------------------------------------------------------
@pytest.mark.parametrize(("word", "misaki"), [
    ("hello", "həlˈO"), ("google", "ɡˈuɡᵊl"), ("data", "dˈAɾə"), ("phone", "fˈOn"), ("world", "wˈɜɹld"),
    ("chair", "ʧˈɛɹ"), ("strong", "stɹˈɔŋ"),
])
def test_arpabet_maps_to_misakis_english_alphabet(word, misaki):
    assert english_phonemes(dictionary()[word]) == misaki   # the entries of misaki's us_gold.json


@pytest.mark.parametrize(("word", "ours"), [
    ("computer", "kʰəmpʰjˈuɾəɹ"), ("python", "pʰˈIθɑn"), ("spot", "spˈɑt"), ("cat", "kʰˈæt"),
    ("paper", "pʰˈApʰəɹ"), ("happy", "hˈæpʰi"),
])
def test_onset_p_t_k_are_aspirated_for_the_mandarin_voices(word, ours):
    """misaki writes pinyin b d g as p t k, so Kokoro's Mandarin voices say a bare p as b (App
    was heard ABB): an onset p t k not after s gets ʰ, also before an unstressed vowel (paper,
    happy: plain, fewer were recovered); after s, or in a coda, it stays bare."""
    assert english_phonemes(dictionary()[word]) == ours


def test_most_words_match_misakis_own_lexicon():
    """misaki's gold US lexicon is the reference the mapping follows: most common words come out the
    same, symbol for symbol, aspiration aside (stress placement and reduced vowels make the rest
    differ slightly)."""
    import importlib.resources

    gold = json.loads((importlib.resources.files("misaki") / "data" / "us_gold.json").read_text(encoding="utf-8"))
    words = [(w, a) for w, a in _sample(4000) if isinstance(gold.get(w), str)]
    same = sum(english_phonemes(a).replace("ʰ", "") == gold[w] for w, a in words)
    assert len(words) > 500 and same / len(words) > 0.55


def test_every_symbol_is_in_kokoros_vocabulary():
    vocab = load_vocab(DEFAULT_VOICES_DIR)
    for word, arpabet in _sample(3000):
        assert set(english_phonemes(arpabet)) <= set(vocab), word


def test_kokoro_says_an_english_span_in_english_set_off_by_short_pauses():
    phrase = analyze("我用iPhone拍照。")[0]
    assert phrase.english == ((2, 4, "AY1 F OW2 N"),)
    assert phrase_phonemes(phrase) == "wo↓ jʊ↘ŋ, ˈIfˌOn, pʰai→ꭧau↘."


def test_the_words_of_one_english_run_are_spaced_as_words():
    assert phrase_phonemes(analyze("我在听Taylor Swift的歌。")[0]) == "wo↓ ʦai↘ tʰi→ŋ, tʰˈAləɹ swˈɪft, tɤ kɤ→."
    assert phrase_phonemes(analyze("OK吗？")[0]) == "ˈO kʰˈA, ma?"   # a spelled word says its letters apart


def roles_line(phrase: Phrase) -> str:
    """token_roles as one character per token: _ Mandarin, E English, | the edge around it."""
    roles = token_roles(phrase, phrase_pieces(phrase))
    return "".join({MANDARIN: "_", ENGLISH: "E", EDGE: "|"}[role] for role in roles)


def test_each_token_has_a_role_english_words_and_their_edges_apart_from_the_mandarin():
    phrase = analyze("我在听Taylor Swift的歌。")[0]   # wo↓ ʦai↘ tʰi→ŋ, tʰˈAləɹ swˈɪft, tɤ kɤ→.
    assert len(roles_line(phrase)) == len(phrase_phonemes(phrase))
    assert roles_line(phrase) == "_" * 14 + "||" + "E" * 14 + "||" + "_" * 7


def test_the_final_mark_after_an_english_word_is_its_edge_and_a_leading_word_has_one_edge():
    assert roles_line(analyze("他说Good morning。")[0]) == "_" * 9 + "||" + "E" * 12 + "|"   # tʰa→ ʂwo→, ɡˈʊd mˈɔɹnɪŋ.
    assert roles_line(analyze("OK吗？")[0]) == "EEEEEEE||___"   # ˈO kʰˈA, ma?
    assert set(roles_line(analyze("我们去散步吧。")[0])) == {"_"}


def test_a_span_too_long_for_the_token_bound_falls_back_to_its_mandarin_syllables():
    phrase = Phrase(("ei1",), (0,), text="A。", english=((0, 1, " ".join(["S T R EH1 NG K TH S"] * 3)),))
    assert phrase_phonemes(phrase) == syllable_phonemes("ei1") + "."


def test_a_cut_keeps_the_spans_on_each_side_and_drops_one_it_goes_through():
    phrase = Phrase(("a1", "b1", "c1", "d1"), (0, 1, 0, 0), english=((0, 2, "EY1"), (2, 4, "B IY1")))
    head, tail = phrase.split_at(2)
    assert head.english == ((0, 2, "EY1"),) and tail.english == ((0, 2, "B IY1"),)
    assert phrase.split_at(1)[0].english == () and phrase.split_at(3)[1].english == ()


def test_a_span_outside_the_syllables_is_refused():
    with pytest.raises(ValueError):
        Phrase(("a1",), (0,), english=((0, 2, "EY1"),))


# -- tokens ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("token", "how"), [
    ("GPU", "letters"), ("AI", "letters"), ("NASA", "dictionary"), ("JSON", "dictionary"), ("COVID", "dictionary"),
    ("iPhone", "dictionary"), ("YouTube", "dictionary"), ("macOS", "parts"), ("iOS", "letters"),
    ("app", "letters"), ("pdf", "letters"), ("www", "letters"), ("Huawei", "pinyin"), ("zhang", "pinyin"),
    ("chatbot", "compound"), ("Zorblax", "rules"),
])
def test_tokens_are_classified_as_a_newsreader_reads_them(token, how):
    assert read(token).how == how


def test_acronyms_use_the_chinese_letter_names_on_the_mandarin_side():
    assert read("CEO").syllables == ("xi1", "yi1", "ou1")


def test_letter_names_are_said_level_with_a_light_second_syllable():
    """Letters on the first tone (bi4 di4 ji4 were heard as 必 第 寄); H, L, R, F, W in the forms Whisper
    heard as the letter (ei1 qi1 was heard "A7", a4 er5 "2", ai1 lou5 inside a word "ILO", ai- as I)."""
    assert read("HTML").syllables == ("ei1", "chi5", "ti1", "ai1", "mu5", "ei1", "le5")
    assert read("BDG").syllables == ("bi1", "di1", "ji1")
    assert read("RFW").syllables == ("ar1", "ei1", "fu5", "da1", "bu5", "you5")


def test_every_letter_name_is_a_syllable_the_embedded_voice_has():
    from tts.engines.baker_symbols import BakerSymbols
    from tts.engines.embedded_assets import locate
    from tts.frontend.letters import LETTERS

    symbols = BakerSymbols(locate().load_mapper())
    for letter, names in LETTERS.items():
        assert all(is_syllable(name) and symbols.syllable_symbols(name) for name in names), letter


def test_on_the_mandarin_side_words_are_settled_spelled_or_approximated():
    assert read("Hello").syllables == ("ha1", "lou1")                              # settled: 哈喽
    assert read("Zoom").syllables == ("zei4", "ou1", "ou1", "ai1", "mu5")          # short: spelled
    assert read("Instagram").syllables == tuple(to_pinyin(read("Instagram").arpabet))   # long: approximated
    assert read("Zoom").arpabet == "Z UW1 M"                                       # Kokoro still says the word


def test_pinyin_has_no_english_span():
    assert read("Beijing").arpabet == "" and read("Beijing").syllables == ("bei3", "jing1")


def test_an_over_long_letter_run_is_omitted_not_read_for_minutes():
    assert read("a" * 41).omitted and not read("a" * 40).omitted


def test_other_scripts_are_reported_as_omitted_once_per_word():
    assert analyze_text("他说Привет和Ελληνικά。").omitted == ("Привет", "Ελληνικά")


# -- signs around Latin words ------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "spoken"), [
    ("Wi-Fi密码", "WiFi密码"),                        # one dictionary word when joined
    ("state-of-the-art", "state of the art"),
    ("COVID-19疫情", "COVID十九疫情"),
    ("report_final.pdf", "report下划线final点pdf"),
    ("node.js框架", "node点js框架"),
    ("来自U.S.A.的", "来自USA的"),
    ("#春节#话题", "“春节”话题"),
    ("#MeToo运动", "MeToo运动"),
    ("C++和C#", "C加加和C sharp"),
    ("café和Müller", "cafe和Muller"),
    ("It is English. 好的", "It is English。好的"),
    ("Mr. Smith来了", "Mr. Smith来了"),
])
def test_signs_between_latin_words_are_read_or_folded(written, spoken):
    assert normalize(written) == spoken


def test_diacritics_fold_to_base_letters():
    assert fold("naïve Straße Œuvre") == "naive Strasse OEuvre"
