"""Personal-data redaction on a wider, independent set: realistic ways people write e-mail
addresses, phone numbers and IMEIs in English, Chinese, Russian and Dutch."""

from __future__ import annotations

import re

import pytest

from userloop.intake.redaction import PersonalDataKind, Redaction, redact

K = PersonalDataKind
PLACEHOLDER_RE = re.compile(r"\[(?:email|phone|imei|serial|ip|url)\]")


# ------------------------------------------------------------------------ wider recall set
# A wider, independent set: realistic ways people write e-mail addresses, phone numbers and
# IMEIs in English, Chinese, Russian and Dutch, with the exact expected output.
WIDE_PERSONAL: list[tuple[str, str]] = [
    # e-mail: quoted local parts (RFC 5321)
    ('Mail "john.doe"@example.com about it', "Mail [email] about it"),
    ('mijn adres is "john doe"@example.org', "mijn adres is [email]"),
    ('write to "jan.de.vries"@voorbeeld.nl, thanks', "write to [email], thanks"),
    # e-mail: obfuscations
    ("Write to Jane AT example DOT org please", "Write to [email] please"),
    ("reach me at name at domain dot com", "reach me at [email]"),
    ("mail name [at] domain.com for logs", "mail [email] for logs"),
    ("john [dot] doe [at] gmail [dot] com", "[email]"),
    ("john dot doe at gmail dot com", "[email]"),
    ("contact: ivan.petrov at mail.ru", "contact: [email]"),
    ("mail me: j.smith at gmail.com", "mail me: [email]"),
    ("user42 at outlook.com", "[email]"),
    ("anna {at} example.com", "[email]"),
    ("anna <at> example.co.uk", "[email]"),
    ("bob @ example.com has the logs", "[email] has the logs"),
    ("bob@example dot com", "[email]"),
    ("jane(at)example(dot)co(dot)uk", "[email]"),
    ("Пишите: ivan (собака) mail (точка) ru", "Пишите: [email]"),
    ("почта ivan собака yandex точка ru", "почта [email]"),
    ("напишите на sergey(at)yandex(dot)ru", "напишите на [email]"),
    ("mail jan apenstaartje voorbeeld punt nl", "mail [email]"),
    ("mail me op k.de.boer [at] ziggo [dot] nl", "mail me op [email]"),
    ("邮箱abc艾特qq.com谢谢", "邮箱[email]谢谢"),
    ("我的邮箱是 li_wei2024@163.com,谢谢", "我的邮箱是 [email],谢谢"),
    ("o'brien@example.ie wrote this", "[email] wrote this"),
    ("E-mail: WANG.Lei@Example.CN", "E-mail: [email]"),
    ("müller@beispiel.de", "[email]"),
    # phone numbers
    ("Call +31 (0)6 12345678 please", "Call [phone] please"),
    ("Büro +49 (0)30 1234567", "Büro [phone]"),
    ("Appelez le +33 6 12 34 56 78", "Appelez le [phone]"),
    ("Мой номер +7(912)345-67-89", "Мой номер [phone]"),
    ("звоните 8 800 555 35 35", "звоните [phone]"),
    ("电话+86-138-0013-8000", "电话[phone]"),
    ("Support line +1-800-555-0199 hung up", "Support line [phone] hung up"),
    ("UK +44 (0) 7911 123456", "UK [phone]"),
    ("tel 07911 123 456", "tel [phone]"),
    ("bel 020 123 4567 na 18 uur", "bel [phone] na 18 uur"),
    ("офис +7 (495) 123-45-67", "офис [phone]"),
    ("手机:139 1234 5678", "手机:[phone]"),
    ("India +91 98765 43210", "India [phone]"),
    ("AU +61 412 345 678", "AU [phone]"),
    ("(555) 123-4567 is my cell", "[phone] is my cell"),
    ("whatsapp +31 6 1234 5678", "whatsapp [phone]"),
    ("0031612345678", "[phone]"),
    # IMEIs
    ("IMEI: 35 209900 176148 1", "IMEI: [imei]"),
    ("IMEI1: 490154203237518", "IMEI1: [imei]"),
    ("imei=356938035643809", "imei=[imei]"),
    ("IMEI 2: 353270091234569", "IMEI 2: [imei]"),
    ("imei 49-015420-323751-8", "imei [imei]"),
    ("my imei is 358754060123452 and it is blocked", "my imei is [imei] and it is blocked"),
    ("IMEI码860123456789014", "IMEI码[imei]"),
    ("ИМЕЙ 990001122334451", "ИМЕЙ [imei]"),
]

# Look-alikes that must survive: builds, versions, dates, prices, prose with "at"/"dot".
WIDE_UNCHANGED: list[str] = [
    "3.4.2640",
    "build 3.4.2640 crashes",
    "Build V14.0.3.0.TKCEUXM installed",
    "version 1.2.3-beta+456",
    "2.0.0-rc.1 and 1.0.0+20240101",
    "UP1A.231005.007",
    "TKQ1.221114.001",
    "HyperOS 1.0.5.0.UNCMIXM",
    "Redmi Note 12 Pro+ 5G",
    "SM-G991B and 23078PND5G",
    "Let's meet at home",
    "We meet at home dot",
    "I was at work.Then it crashed",
    "bought it at amazon.com",
    "I am at gmail.com all day",
    "I logged in at example.com yesterday",
    "Paid 20 at store.com",
    "Updated to 1.2 at github.com",
    "check-in at hotel.com failed",
    "look at the dot in the middle of the screen",
    "look at the dot com bubble",
    "java.lang.NullPointerException at com.example.app.Main.onCreate(Main.java:42)",
    "Crash at android.view.View.draw",
    "see you at 5.30",
    "at 10.00 am it rebooted",
    "me @ home all day",
    "@john check this",
    "price @ 3.99 each",
    'He said "hi"@ the meeting',
    "моя собака спит.Потом телефон сел",
    "艾特我一下",
    "het punt is dat de app crasht",
    "Bought on 05.11.2024 for € 499,00",
    "$1,299.99 and 3999元",
    "Order 1234-5678-9012",
    "com.lumo.phone:1750000000000",
]


@pytest.mark.parametrize(("text", "expected"), WIDE_PERSONAL)
def test_wide_set_recall(text: str, expected: str) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.count == len(PLACEHOLDER_RE.findall(expected))
    assert redact(result.text).text == result.text


@pytest.mark.parametrize("text", WIDE_UNCHANGED)
def test_wide_set_precision(text: str) -> None:
    assert redact(text) == Redaction(text=text, kinds=(), count=0)


def test_wide_set_is_wide() -> None:
    assert len(WIDE_PERSONAL) >= 40 and len(WIDE_UNCHANGED) >= 20
