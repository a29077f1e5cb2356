"""Personal-data redaction applied to feedback text before it is stored.

The input is expected to be NFKC-normalised with runs of spaces collapsed (see
``userloop.intake.normalize``); full-width digits and punctuation are therefore already ASCII.
Every hit is replaced by a typed placeholder (``[email]``, ``[phone]``, ``[imei]``, ``[serial]``,
``[ip]``, ``[url]``). Placeholders contain no digits, ``@`` or ``://``, so nothing matches them
again and ``redact`` is idempotent.

Detectors run in this order, each on the output of the previous one:

1. URLs. A URL carrying credentials (``user:pass@host``, any userinfo), a secret-looking query or
   fragment parameter (token, key, secret, password, sig, session, code, ...) or an e-mail address
   becomes ``[url]``. Every other URL is kept verbatim and shielded from the later detectors (a
   forum link with a long numeric thread id must survive), except that an IP-literal host is
   replaced: ``http://[ip]:8080/admin``.
2. E-mail addresses (Latin, Latin-extended and Cyrillic local parts and domains, ``xn--``
   punycode TLDs, quoted local parts such as ``"john doe"@example.org``), plus obfuscations.
   A bracketed or spaced "at" (``(at)``, ``[at]``, ``{at}``, ``<at>``, ``(собака)``, ``name @
   example.com``, ``艾特``) needs a dotted domain with a letter TLD; a spelled dot (``dot``,
   ``точка``, ``punt``, bracketed or not) needs a common mail TLD (``com``, ``ru``, ``nl``, ...,
   not ones that are English words like ``in`` or ``it``). The bare words ``at``, ``собака``,
   ``apenstaartje`` occur in prose, so ``name at domain dot com`` is an address only with a
   common mail TLD, no article or pronoun after "at" (``at the dot com``) and no verb-like word
   before it (``I am at``), and with literal dots only (``j.smith at gmail.com``) when the name
   has a mark of an address (a dot, digit, ``_``, ``%`` or ``+`` beside letters) or the domain is
   a known mail provider; package names in stack traces (``at com.example.Main``) are kept. CJK
   characters are never part of an address, because Chinese text routinely glues an address to
   the surrounding words (``邮箱abc@qq.com谢谢``).
3. IPv6 (validated with :mod:`ipaddress`, must contain a decimal digit so words like ``ad::be``
   stay), then IPv4 with octets 0-255. A four-part dotted number such as ``14.0.3.0`` is ambiguous:
   it is an IP unless it is glued to a letter (``V14.0.3.0``), followed by ``.<alnum>``
   (``14.0.5.0.TKHMIXM``) or preceded by a version word (v, version, build, firmware, MIUI,
   HyperOS, Android, iOS, update, версия, прошивка, 版本, 固件, versie, ...).
4. IMEI: 15 digits, bare or in up to four groups separated by one kind of separator (space or
   dash, e.g. ``35-209900-176148-1``), that pass the Luhn check. A number failing Luhn is left to
   the phone rules: a bare 15-digit run is kept unless a phone context word is near, a grouped
   one is a phone number (9-15 separated digits).
5. Serial numbers: the alphanumeric token (6-30 chars, at least one digit, dashes allowed)
   following a keyword such as ``serial number``, ``S/N``, ``SN:``, ``IMEI`` (a mistyped IMEI
   that fails Luhn is still an identifier), ``序列号``, ``серийный номер``, ``serienummer``. The
   keyword is kept: ``S/N: [serial]``. A Luhn-valid 15-digit token after a keyword is ``[imei]``.
6. Phone numbers. A candidate is a run of digits joined by single spaces, dashes, dots or
   parentheses, optionally starting with ``+``. It is a phone number when

   * it starts with ``+`` and has 8-15 digits, or
   * it is a bare digit run matching a national mobile/landline shape (CN ``1[3-9]`` + 9 digits,
     NL/UK ``0`` + 9-10 digits, RU ``[78]9`` + 9 digits, ``00`` + country code), or
   * it is separated and has 9-15 digits (7-15 after a phone context word), and it does not look
     like a date, a thousands-grouped amount (``123 456 789``), a list of small numbers, a dotted
     build id (``231005.007``) or something preceded by a year in space-separated form.

   Candidates preceded by a version word, a currency sign, ``#``/``№`` or an order/ticket/model
   word, or followed by a currency or unit (``₽``, ``元``, ``mAh``, ``steps``, ``%``), are kept.
   Context words are specific ("phone number", "tel", "call", "电话", "手机号", "тел", "bel",
   "mobiel nummer", "nummer"); bare "phone"/"手机"/"телефон" are not used because almost every
   text sent to a phone maker contains them. The context is looked up in the already-redacted
   output (last 40 characters), which keeps the pass idempotent.

With ``redact(text, pseudonym=f)`` every hit is replaced by ``f(kind, raw)`` instead of the
placeholder, with exactly the same decisions (intake uses it for keyed pseudonyms in
``external_id``). ``personal_data_in`` / ``refuse_personal_data`` check short fields such as a
model or build name, where a dotted quad like ``14.0.3.0`` is a version, not an IP address.

The detectors live in one module each: ``network`` (URLs, IP addresses), ``emails``,
``identifiers`` (IMEI, serial numbers), ``phones``; ``versions`` holds the version-word check
shared by the IP and phone rules, ``engine`` runs them in the order above and ``fields`` applies
them to short fields.
"""

from userloop.intake.redaction.engine import redact
from userloop.intake.redaction.fields import personal_data_in, refuse_personal_data
from userloop.intake.redaction.kinds import PersonalDataKind, Redaction

__all__ = [
    "PersonalDataKind",
    "Redaction",
    "personal_data_in",
    "redact",
    "refuse_personal_data",
]
