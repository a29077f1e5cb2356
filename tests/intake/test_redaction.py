"""Personal-data redaction: every kind, four languages, false positives, idempotency."""

from __future__ import annotations

import dataclasses
import re

import pytest

from userloop.intake.redaction import PersonalDataKind, Redaction, redact

K = PersonalDataKind
PLACEHOLDER_RE = re.compile(r"\[(?:email|phone|imei|serial|ip|url)\]")

# (input, exact expected output, kinds found). Realistic feedback in English, Chinese, Russian
# and Dutch; inputs are what the normaliser hands over (NFKC, spaces collapsed).
REDACTED: list[tuple[str, str, tuple[PersonalDataKind, ...]]] = [
    # ---------------------------------------------------------------- English: phone
    (
        "My phone +7 912 345-67-89 keeps rebooting after update",
        "My phone [phone] keeps rebooting after update",
        (K.PHONE,),
    ),
    (
        "Call me back on +1 (415) 555-0134, the camera app crashes",
        "Call me back on [phone], the camera app crashes",
        (K.PHONE,),
    ),
    (
        "Screen flickers at night. My number is (415) 555-0134.",
        "Screen flickers at night. My number is [phone].",
        (K.PHONE,),
    ),
    (
        "Support never called 415-555-0134 back about the cracked screen",
        "Support never called [phone] back about the cracked screen",
        (K.PHONE,),
    ),
    (
        "You can reach me at 415.555.0134 after 6pm",
        "You can reach me at [phone] after 6pm",
        (K.PHONE,),
    ),
    ("call 555-0134 if you need logs", "call [phone] if you need logs", (K.PHONE,)),
    ("UK mobile 07123456789, speaker crackles", "UK mobile [phone], speaker crackles", (K.PHONE,)),
    (
        "+44 20 7946 0958 is my office line, calls drop after 10 s",
        "[phone] is my office line, calls drop after 10 s",
        (K.PHONE,),
    ),
    ("Tel.13800138000 GPS is off by 200 m", "Tel.[phone] GPS is off by 200 m", (K.PHONE,)),
    (
        "Camera crashes in night mode, call me at +31 6 12345678",
        "Camera crashes in night mode, call me at [phone]",
        (K.PHONE,),
    ),
    # ---------------------------------------------------------------- English: e-mail
    (
        "Email me at john.doe+tag@mail.example.co.uk, the update bricked my phone",
        "Email me at [email], the update bricked my phone",
        (K.EMAIL,),
    ),
    (
        "Contact: anna_k@example.com - wifi drops every 5 minutes",
        "Contact: [email] - wifi drops every 5 minutes",
        (K.EMAIL,),
    ),
    (
        "Write to john (at) example (dot) com please",
        "Write to [email] please",
        (K.EMAIL,),
    ),
    ("Write to jane[at]example.org", "Write to [email]", (K.EMAIL,)),
    # ---------------------------------------------------------------- English: IMEI / serial
    (
        "IMEI 35-209900-176148-1 is blocked after the repair",
        "IMEI [imei] is blocked after the repair",
        (K.IMEI,),
    ),
    (
        "My IMEI: 490154203237518. Network unlock failed.",
        "My IMEI: [imei]. Network unlock failed.",
        (K.IMEI,),
    ),
    (
        "Second SIM slot dead, device id 356938035643809",
        "Second SIM slot dead, device id [imei]",
        (K.IMEI,),
    ),
    (
        "S/N: R58N123ABCD, battery swelling after 8 months",
        "S/N: [serial], battery swelling after 8 months",
        (K.SERIAL,),
    ),
    (
        "Serial number is R58N12AB3CD and the warranty page says invalid",
        "Serial number is [serial] and the warranty page says invalid",
        (K.SERIAL,),
    ),
    (
        "SN:2201117TY0042 screen has dead pixels",
        "SN:[serial] screen has dead pixels",
        (K.SERIAL,),
    ),
    (
        "serial no. ABC12345678 warranty rejected",
        "serial no. [serial] warranty rejected",
        (K.SERIAL,),
    ),
    # ---------------------------------------------------------------- English: IP
    (
        "Router at 192.168.1.1 blocks my phone from connecting",
        "Router at [ip] blocks my phone from connecting",
        (K.IP,),
    ),
    (
        "VPN shows my address as 2001:db8::1 instead of the IPv4 one",
        "VPN shows my address as [ip] instead of the IPv4 one",
        (K.IP,),
    ),
    (
        "Phone gets fe80::1ff:fe23:4567:890a as gateway",
        "Phone gets [ip] as gateway",
        (K.IP,),
    ),
    (
        "Full address 2001:0db8:85a3:0000:0000:8a2e:0370:7334 leaks in logs",
        "Full address [ip] leaks in logs",
        (K.IP,),
    ),
    ("Mapped ::ffff:192.168.1.1 shown in settings", "Mapped [ip] shown in settings", (K.IP,)),
    ("IP: 192.168.1.1:8080 proxy fails", "IP: [ip]:8080 proxy fails", (K.IP,)),
    (
        "Admin panel http://192.168.1.1/admin keeps logging me out",
        "Admin panel http://[ip]/admin keeps logging me out",
        (K.IP,),
    ),
    # ---------------------------------------------------------------- English: URL
    (
        "Password reset link https://account.example.com/reset?token=abc123XYZ does not open",
        "Password reset link [url] does not open",
        (K.URL,),
    ),
    (
        "Sharing https://user:s3cret@files.example.com/logs.zip with you",
        "Sharing [url] with you",
        (K.URL,),
    ),
    (
        "Logged in via https://example.com/callback#access_token=eyJhbGciOi&expires_in=3600.",
        "Logged in via [url].",
        (K.URL,),
    ),
    (
        "Download (https://cdn.example.com/f?X-Amz-Signature=9a8b7c&X-Amz-Expires=60) fails",
        "Download ([url]) fails",
        (K.URL,),
    ),
    (
        "See www.example.com/login?apiKey=AKIA1234 for the crash",
        "See [url] for the crash",
        (K.URL,),
    ),
    # ---------------------------------------------------------------- Chinese
    (
        "我的手机号是13800138000,更新后一直重启",
        "我的手机号是[phone],更新后一直重启",
        (K.PHONE,),
    ),
    ("请拨打+86 138 0013 8000联系我,相机闪退", "请拨打[phone]联系我,相机闪退", (K.PHONE,)),
    ("电话:138-0013-8000,充电很慢", "电话:[phone],充电很慢", (K.PHONE,)),
    ("客服电话 0086 138 0013 8000 打不通", "客服电话 [phone] 打不通", (K.PHONE,)),
    ("联系方式:13912345678", "联系方式:[phone]", (K.PHONE,)),
    ("邮箱abc.wang@qq.com谢谢,屏幕有亮点", "邮箱[email]谢谢,屏幕有亮点", (K.EMAIL,)),
    ("IMEI号490154203237518,网络无法注册", "IMEI号[imei],网络无法注册", (K.IMEI,)),
    ("序列号:R58N123ABC,保修查不到", "序列号:[serial],保修查不到", (K.SERIAL,)),
    ("序列号是 SN2201117TY42 请帮忙查一下", "序列号是 [serial] 请帮忙查一下", (K.SERIAL,)),
    ("序號:F17XK2ABC123 螢幕有問題", "序號:[serial] 螢幕有問題", (K.SERIAL,)),
    (
        "家里路由器IP是192.168.0.1,手机连不上WiFi",
        "家里路由器IP是[ip],手机连不上WiFi",
        (K.IP,),
    ),
    (
        "重置链接https://example.com/reset?token=abc123打不开",
        "重置链接[url]打不开",
        (K.URL,),
    ),
    # ---------------------------------------------------------------- Russian
    (
        "Мой телефон +7 912 345-67-89 постоянно перезагружается после обновления",
        "Мой телефон [phone] постоянно перезагружается после обновления",
        (K.PHONE,),
    ),
    (
        "Звоните по номеру 8 (912) 345-67-89, камера не фокусируется",
        "Звоните по номеру [phone], камера не фокусируется",
        (K.PHONE,),
    ),
    ("тел. 8-912-345-67-89, не работает NFC", "тел. [phone], не работает NFC", (K.PHONE,)),
    ("Телефон: 8 912 345 67 89", "Телефон: [phone]", (K.PHONE,)),
    (
        "89123456789 - мой номер, перезвоните",
        "[phone] - мой номер, перезвоните",
        (K.PHONE,),
    ),
    (
        "Пишите на почту ivan.petrov@mail.ru, батарея садится за 3 часа",
        "Пишите на почту [email], батарея садится за 3 часа",
        (K.EMAIL,),
    ),
    ("Почта иван@пример.рф для связи", "Почта [email] для связи", (K.EMAIL,)),
    (
        "Серийный номер: R58N123ABC, гарантия не находится",
        "Серийный номер: [serial], гарантия не находится",
        (K.SERIAL,),
    ),
    (
        "серийник SN-2201117-0042 после ремонта",
        "серийник [serial] после ремонта",
        (K.SERIAL,),
    ),
    (
        "IMEI 35 209900 176148 1, телефон в блокировке",
        "IMEI [imei], телефон в блокировке",
        (K.IMEI,),
    ),
    ("Роутер 10.0.0.138 не видит телефон", "Роутер [ip] не видит телефон", (K.IP,)),
    (
        "Ссылка для входа https://example.ru/login?session=9f8e7d6c не работает",
        "Ссылка для входа [url] не работает",
        (K.URL,),
    ),
    # ---------------------------------------------------------------- Dutch
    (
        "Bel me op 06-12345678, de batterij loopt snel leeg",
        "Bel me op [phone], de batterij loopt snel leeg",
        (K.PHONE,),
    ),
    (
        "Mijn nummer is 06 1234 5678 en de camera doet het niet",
        "Mijn nummer is [phone] en de camera doet het niet",
        (K.PHONE,),
    ),
    (
        "Vaste lijn 020-1234567, wifi valt steeds weg",
        "Vaste lijn [phone], wifi valt steeds weg",
        (K.PHONE,),
    ),
    ("mobiel nummer: 0612345678", "mobiel nummer: [phone]", (K.PHONE,)),
    (
        "Bereikbaar via +31 6 12345678 of 0031 6 1234 5678",
        "Bereikbaar via [phone] of [phone]",
        (K.PHONE,),
    ),
    (
        "Mail naar jan.jansen@voorbeeld.nl als het opgelost is",
        "Mail naar [email] als het opgelost is",
        (K.EMAIL,),
    ),
    (
        "Serienummer: R58N123ABC, scherm heeft strepen",
        "Serienummer: [serial], scherm heeft strepen",
        (K.SERIAL,),
    ),
    (
        "IMEI 356938035643809 staat op de zwarte lijst",
        "IMEI [imei] staat op de zwarte lijst",
        (K.IMEI,),
    ),
    (
        "Mijn IP is 83.160.12.45 en de app logt niet in",
        "Mijn IP is [ip] en de app logt niet in",
        (K.IP,),
    ),
    (
        "Inloglink https://mijn.example.nl/auth?code=XyZ123&state=abc werkt niet",
        "Inloglink [url] werkt niet",
        (K.URL,),
    ),
]

# Text that looks numeric or technical but holds no personal data: returned unchanged.
UNCHANGED: list[str] = [
    # versions and builds
    "Updated to V14.0.3 and now Bluetooth is broken",
    "MIUI 14.0.5.0 drains the battery",
    "MIUI V14.0.5.0.TKHMIXM drains the battery",
    "HyperOS 1.0.5.0.UNCMIXM update failed",
    "Android 13 update removed the notification LED",
    "build 2024.11.05 broke wifi calling",
    "App version 1.2.3 crashes on start",
    "Android 14 build UP1A.231005.007 broke Android Auto",
    "Версия прошивки 14.0.3.0, после обновления пропал звук",
    "Versie 14.0.3.0 heeft een bug met bluetooth",
    "固件版本14.0.3.0更新后耗电快",
    # dates and times
    "Bought on 2024-11-05, the screen died on 05.11.2024",
    "Receipt date 11/05/2024, still under warranty",
    "购买日期2024年11月5日,屏幕出现绿线",
    "Crashes every day at 12:30:45 exactly",
    "Screen time 6:30:00, standby 12:45",
    "2024-11-05 12:30 the phone froze",
    # prices, percentages, units
    "Paid $1,299.99 for this phone and the camera is blurry",
    "Prijs was € 499,00 maar de accu is slecht",
    "价格¥3999,3999元买的手机发热严重",
    "Заплатил 1 299 ₽ за чехол, а телефон всё равно греется",
    "Цена 29 990 ₽, куплен 05.11.2024",
    "Battery went from 100% to 20% in 3 hours 15 minutes",
    "12.5% of the time the screen flickers",
    "5000mAh battery lasts only half a day",
    "Resolution 2400x1080 looks blurry in games",
    "Refresh rate 120Hz, 8/256GB, 5G",
    # model, order and other plain numbers
    "Model 2201117TY overheats when charging",
    "I walked 100000 steps and the counter reset",
    "Steps: 12 000 000 this year",
    "Geekbench score 1234567 is lower than expected",
    "Tried levels 1 2 3 4 5 6 7 8 9 10, all lag",
    "Order number 1234-5678-9012 still not shipped",
    "订单号123456789012一直没发货",
    "ticket #4412345678 unresolved",
    "Coordinates 52.3676, 4.9041 are wrong in maps",
    "Random number 352099001761482 shown in diagnostics",
    "The serial port app shows error 0x80040154",
    "Snel opladen werkt niet met 25W",
    "Kernel 5.15.123-android14-11 crashes",
    # URLs without secrets, and placeholders from an earlier pass
    "Same bug as https://forum.example.com/t/battery-drain/123456 - please fix",
    "See https://forum.example.com/thread/13800138000?page=2 for details",
    "Already redacted: [email] [phone] [imei] [serial] [ip] [url], S/N: [serial]",
    "No digits or addresses here at all, just a sad story about a cracked screen.",
]


@pytest.mark.parametrize(("text", "expected", "kinds"), REDACTED)
def test_redacts_exactly(text: str, expected: str, kinds: tuple[PersonalDataKind, ...]) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.kinds == kinds
    assert result.count == len(PLACEHOLDER_RE.findall(expected)) - len(PLACEHOLDER_RE.findall(text))


@pytest.mark.parametrize("text", UNCHANGED)
def test_false_positives_are_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.kinds == ()
    assert result.count == 0


ALL_INPUTS = [case[0] for case in REDACTED] + UNCHANGED


@pytest.mark.parametrize("text", ALL_INPUTS)
def test_idempotent(text: str) -> None:
    once = redact(text)
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.count == 0
    assert twice.kinds == ()


def test_idempotent_on_concatenations() -> None:
    # Neighbouring cases glued together exercise context windows and boundaries.
    for i, left in enumerate(ALL_INPUTS):
        for right in ALL_INPUTS[i + 1 : i + 4]:
            for glue in (" ", ", ", "\n", ""):
                once = redact(left + glue + right).text
                assert redact(once).text == once, left + glue + right


def test_result_type() -> None:
    result = redact("Call +31 6 12345678")
    assert isinstance(result, Redaction)
    assert result == Redaction(text="Call [phone]", kinds=(K.PHONE,), count=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "changed"  # type: ignore[misc]
    assert not hasattr(result, "__dict__")  # slots


def test_placeholders_are_typed() -> None:
    assert {kind.value for kind in PersonalDataKind} == {
        "email",
        "phone",
        "imei",
        "serial",
        "ip",
        "url",
    }
    samples = {
        K.EMAIL: "a.b@example.com",
        K.PHONE: "+31 6 12345678",
        K.IMEI: "490154203237518",
        K.IP: "192.168.1.1",
        K.URL: "https://example.com/?token=abc",
    }
    for kind, sample in samples.items():
        result = redact(f"x {sample} y")
        assert result.text == f"x [{kind.value}] y"
        assert result.kinds == (kind,)
    assert redact("S/N: ABC123456").text == "S/N: [serial]"


def test_kinds_are_distinct_and_sorted_and_count_counts_every_hit() -> None:
    result = redact("Call 06-12345678 or 020-1234567, mail a@example.com or b@example.com")
    assert result.text == "Call [phone] or [phone], mail [email] or [email]"
    assert result.kinds == (K.EMAIL, K.PHONE)
    assert result.count == 4


def test_mixed_text_with_every_kind() -> None:
    text = (
        "Call +31 6 12345678 or mail jan@example.nl; IMEI 490154203237518, S/N: R58N123ABC, "
        "router 192.168.1.1, reset https://x.example.com/r?token=abc. Build V14.0.3.0, "
        "bought 2024-11-05 for € 499,00."
    )
    result = redact(text)
    assert result.text == (
        "Call [phone] or mail [email]; IMEI [imei], S/N: [serial], "
        "router [ip], reset [url]. Build V14.0.3.0, "
        "bought 2024-11-05 for € 499,00."
    )
    assert result.kinds == (K.EMAIL, K.IMEI, K.IP, K.PHONE, K.SERIAL, K.URL)
    assert [k.value for k in result.kinds] == sorted(k.value for k in result.kinds)
    assert result.count == 6
    assert redact(result.text).text == result.text


def test_luhn_decides_imei() -> None:
    valid = "490154203237518"
    changed = valid[:-1] + "9"
    assert redact(f"diagnostics show {valid}").text == "diagnostics show [imei]"
    # The same digits with the check digit changed are not an IMEI, nor a phone number.
    assert redact(f"diagnostics show {changed}").text == f"diagnostics show {changed}"
    # Grouped forms follow the same rule.
    assert redact("id 35-209900-176148-1").text == "id [imei]"
    # Failing Luhn, a dash-separated 15-digit number falls to the phone rules (9-15 digits).
    assert redact("id 35-209900-176148-2").text == "id [phone]"
    # An all-zero run passes Luhn but is no device identity.
    assert redact("id 000000000000000").kinds == ()


def test_labelled_number_failing_luhn_is_still_an_identifier() -> None:
    # "IMEI" labels a device identity even when mistyped: redacted as a serial-like id.
    assert redact("IMEI: 490154203237519").text == "IMEI: [serial]"
    # A 15-digit run failing Luhn after a phone context word is a phone number.
    assert redact("call 490154203237519").text == "call [phone]"


def test_imei_takes_precedence_over_phone() -> None:
    result = redact("phone number 490154203237518")
    assert result.text == "phone number [imei]"
    assert result.kinds == (K.IMEI,)


def test_glued_numbers_are_split() -> None:
    assert redact("2024-11-05 13800138000").text == "2024-11-05 [phone]"
    assert redact("Both lines drop: 13800138000 13900139000").text == (
        "Both lines drop: [phone] [phone]"
    )
    assert redact("since 05.11.2024 +7 912 345-67-89").text == "since 05.11.2024 [phone]"


def test_version_like_dotted_quads() -> None:
    # A bare dotted quad is an IP; after a version word or glued to "V" it is a version.
    assert redact("gateway 14.0.3.0").text == "gateway [ip]"
    assert redact("version 14.0.3.0").text == "version 14.0.3.0"
    assert redact("MIUI Global Stable 14.0.5.0").text == "MIUI Global Stable 14.0.5.0"
    assert redact("v14.0.3.0").text == "v14.0.3.0"
    assert redact("update to 14.0.3.0").text == "update to 14.0.3.0"
    assert redact("192.168.1.256 is not an address").text == "192.168.1.256 is not an address"


def test_plain_urls_are_kept_and_shielded() -> None:
    text = "Same as https://forum.example.com/thread-13800138000-1-1.html?page=2 (call 555-0134)"
    assert redact(text).text == (
        "Same as https://forum.example.com/thread-13800138000-1-1.html?page=2 (call [phone])"
    )


def test_url_with_email_in_query_is_redacted() -> None:
    result = redact("Unsubscribe https://example.com/u?email=jan@example.nl fails")
    assert result.text == "Unsubscribe [url] fails"
    assert result.kinds == (K.URL,)


def test_multiline_text() -> None:
    text = "Phone keeps rebooting.\nCall me: +7 912 345-67-89\nS/N: R58N123ABC"
    assert redact(text).text == "Phone keeps rebooting.\nCall me: [phone]\nS/N: [serial]"


def test_empty_text() -> None:
    assert redact("") == Redaction(text="", kinds=(), count=0)


def test_pseudonyms_replace_each_hit_with_the_callers_token() -> None:
    seen: list[tuple[PersonalDataKind, str]] = []

    def token(kind: PersonalDataKind, raw: str) -> str:
        seen.append((kind, raw))
        return f"<{kind.value}:{len(raw)}>"

    result = redact("id jan@example.nl / 0612345678 x", pseudonym=token)
    assert result.text == "id <email:14> / <phone:10> x"
    assert result.kinds == (K.EMAIL, K.PHONE) and result.count == 2
    assert sorted(seen) == [(K.EMAIL, "jan@example.nl"), (K.PHONE, "0612345678")]
    # Without hits the text comes back as it is; placeholders stay the default.
    assert redact("order-123", pseudonym=token).text == "order-123"
    assert redact("x 490154203237518 y", pseudonym=token).text == "x <imei:15> y"
    assert redact("S/N: R58N123ABC", pseudonym=token).text == "S/N: <serial:10>"
