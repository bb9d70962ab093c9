"""Verification codes: unguessable, unambiguous on paper, and every single typo is caught."""

import math

from credentials import codes


def test_a_code_carries_at_least_60_random_bits_in_an_unambiguous_alphabet():
    assert codes.PAYLOAD_LENGTH * math.log2(len(codes.ALPHABET)) >= 60
    assert not set("01ILOU") & set(codes.ALPHABET)
    drawn = {codes.new_code() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(
        len(code) == codes.CODE_LENGTH and set(code) <= set(codes.ALPHABET) for code in drawn
    )
    # Every character of the alphabet turns up in every payload position (no fixed parts).
    for position in range(codes.PAYLOAD_LENGTH):
        assert {code[position] for code in drawn} == set(codes.ALPHABET)


def test_the_check_character_catches_every_substitution_and_transposition():
    for _ in range(200):
        code = codes.new_code()
        assert codes.is_well_formed(code)
        for i in range(len(code)):
            for other in codes.ALPHABET:
                if other != code[i]:
                    assert not codes.is_well_formed(code[:i] + other + code[i + 1 :])
        for i in range(len(code)):
            for j in range(i + 1, len(code)):
                if code[i] != code[j]:
                    swapped = list(code)
                    swapped[i], swapped[j] = swapped[j], swapped[i]
                    assert not codes.is_well_formed("".join(swapped))


def test_display_groups_and_normalise_undoes_what_typing_adds():
    code = codes.new_code()
    shown = codes.display(code)
    assert shown == f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"
    assert codes.normalise(shown) == code
    assert codes.normalise(f"  {shown.lower().replace('-', ' ')} ") == code
    assert codes.normalise(shown.replace("-", "\u2013")) == code
    assert codes.is_well_formed(codes.normalise(shown.lower()))


def test_malformed_codes_are_recognised():
    code = codes.new_code()
    assert not codes.is_well_formed(code[:-1])
    assert not codes.is_well_formed(code + "2")
    assert not codes.is_well_formed("O" + code[1:])
    assert not codes.is_well_formed("")


def test_status_indexes_cover_the_whole_list():
    indexes = [codes.new_status_index() for _ in range(5000)]
    assert all(0 <= index < codes.STATUS_LIST_LENGTH for index in indexes)
    assert codes.STATUS_LIST_LENGTH >= 131_072
    assert max(indexes) > codes.STATUS_LIST_LENGTH // 2
