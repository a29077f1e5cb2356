"""Phrase bank for feature requests, praise, questions and noise, plus the pieces the generator
uses to vary texts (context sentences, emoji, personal-data snippets, made-up names).

All sentences were written for this demo. ``{model}``, ``{build}`` and the personal-data
placeholders are filled in by the generator.
"""

from __future__ import annotations

OTHER_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "dark_mode_schedule": {
        "en": (
            "Please add a schedule for dark mode, like sunset to sunrise.",
            "Would love dark mode to turn on automatically at night.",
            "Can you add automatic dark mode based on time?",
            "Feature request: scheduled dark theme.",
            "dark mode should switch on by itself in the evening, every other phone has this",
            "Let me set custom hours for dark mode please.",
        ),
        "nl": (
            "Graag een schema voor donkere modus, bijvoorbeeld van zonsondergang tot zonsopgang.",
            "Zou fijn zijn als donkere modus 's avonds automatisch aangaat.",
            "Kunnen jullie automatische donkere modus op basis van tijd toevoegen?",
            "Verzoek: donker thema met een tijdschema.",
            "donkere modus moet vanzelf aan gaan 's avonds, elke andere telefoon heeft dit",
        ),
        "ru": (
            "Добавьте, пожалуйста, расписание для тёмной темы — от заката до рассвета.",
            "Хочу, чтобы тёмная тема включалась автоматически вечером.",
            "Можно сделать автоматическое переключение тёмного режима по времени?",
            "Предложение: тёмная тема по расписанию.",
            "тёмный режим должен включаться сам вечером, на всех других телефонах это есть",
            "Дайте выбрать свои часы для тёмной темы.",
        ),
        "zh-Hans": (
            "希望深色模式可以定时开启，比如日落到日出。",
            "希望晚上能自动切换到深色模式。",
            "能不能加一个按时间自动切换深色模式的功能？",
            "建议：深色主题定时开关。",
            "深色模式应该晚上自己打开，别家手机早就有了",
            "请让我们自定义深色模式的时间段。",
        ),
        "zh-Hant": (
            "希望深色模式可以排程，日落自動開啟。",
            "建議新增深色主題定時切換。",
        ),
    },
    "call_recording": {
        "en": (
            "Please add call recording to the phone app.",
            "I need a built-in call recorder for work calls.",
            "Why is there no option to record calls?",
            "Feature request: automatic call recording for selected contacts.",
            "add call recording pls, my old phone had it",
        ),
        "nl": (
            "Voeg alsjeblieft gesprekken opnemen toe aan de telefoon-app.",
            "Ik heb een ingebouwde gespreksrecorder nodig voor werkgesprekken.",
            "Waarom kan ik geen gesprekken opnemen?",
            "Verzoek: automatisch gesprekken opnemen voor bepaalde contacten.",
            "graag gesprekken kunnen opnemen, mijn oude telefoon kon dat wel",
        ),
        "ru": (
            "Добавьте, пожалуйста, запись звонков в приложение «Телефон».",
            "Нужна встроенная запись разговоров для рабочих звонков.",
            "Почему нет возможности записывать звонки?",
            "Предложение: автоматическая запись звонков для выбранных контактов.",
            "сделайте запись разговоров плиз, на старом телефоне была",
        ),
        "zh-Hans": (
            "希望电话应用加上通话录音功能。",
            "工作需要，想要系统自带的通话录音。",
            "为什么没有通话录音的选项？",
            "建议：可以对指定联系人自动录音。",
            "求加通话录音，我以前的手机都有",
        ),
        "zh-Hant": (
            "希望電話加入通話錄音功能。",
            "為什麼不能錄音通話？",
        ),
    },
    "app_lock": {
        "en": (
            "Please add an app lock so I can protect my banking and photo apps with a fingerprint.",
            "I want to lock individual apps with a PIN.",
            "Is there an app lock? Kids keep opening my messages.",
            "Feature request: built-in app locker.",
            "need app lock, don't want to install some random third party app for it",
        ),
        "nl": (
            "Graag een app-slot zodat ik mijn bank- en foto-apps met vingerafdruk kan beveiligen.",
            "Ik wil losse apps kunnen vergrendelen met een pincode.",
            "Is er een app-slot? Mijn kinderen openen steeds mijn berichten.",
            "Verzoek: ingebouwde app-vergrendeling.",
            "app lock nodig, wil daar geen willekeurige app van derden voor installeren",
        ),
        "ru": (
            "Добавьте блокировку приложений, чтобы закрыть банк и галерею отпечатком.",
            "Хочу ставить ПИН-код на отдельные приложения.",
            "Есть ли блокировка приложений? Дети постоянно открывают мои сообщения.",
            "Предложение: встроенный замок для приложений.",
            "нужна блокировка приложений, не хочу ставить непонятные сторонние программы",
        ),
        "zh-Hans": (
            "希望加入应用锁，可以用指纹锁住银行和相册。",
            "想给单个应用设置密码。",
            "有没有应用锁？小孩老是翻我的聊天记录。",
            "建议：系统自带应用加密功能。",
            "需要应用锁，不想装乱七八糟的第三方软件",
        ),
        "zh-Hant": (
            "希望加入應用程式鎖，可以用指紋鎖住相簿。",
            "想要幫個別App設定密碼。",
        ),
    },
    "more_widgets": {
        "en": (
            "We need more widgets, especially a bigger weather and calendar widget.",
            "Please add more home screen widgets and let us resize them.",
            "The widget selection is really limited compared to other phones.",
            "More widget styles please! The clock widget is the only nice one.",
            "widgets for the battery of my earbuds and for smart home would be great",
        ),
        "nl": (
            "We hebben meer widgets nodig, vooral een grotere weer- en agendawidget.",
            "Voeg alsjeblieft meer widgets voor het startscherm toe en laat ons ze vergroten.",
            "De keuze aan widgets is erg beperkt vergeleken met andere telefoons.",
            "Meer widgetstijlen graag! Alleen de klokwidget is mooi.",
            "een widget voor de batterij van mijn oordopjes zou top zijn",
        ),
        "ru": (
            "Нужно больше виджетов, особенно большой виджет погоды и календаря.",
            "Добавьте больше виджетов для рабочего стола и возможность менять их размер.",
            "Выбор виджетов очень скудный по сравнению с другими телефонами.",
            "Больше стилей виджетов, пожалуйста! Нормальный только виджет часов.",
            "виджет заряда наушников и умного дома был бы кстати",
        ),
        "zh-Hans": (
            "希望多一些小部件，特别是大尺寸的天气和日历。",
            "请增加桌面小组件，并且可以调整大小。",
            "和别的手机比，小部件选择太少了。",
            "多出几个小部件样式吧！只有时钟那个好看。",
            "想要耳机电量和智能家居的小组件",
        ),
        "zh-Hant": (
            "希望多一些桌面小工具，天氣和行事曆都要大尺寸的。",
            "小工具選擇太少了。",
        ),
    },
    "dual_apps": {
        "en": (
            "Please support dual apps so I can run two WhatsApp accounts.",
            "I need app cloning for my work and personal Telegram.",
            "Is dual-app coming? I have two SIMs and want two messenger accounts.",
            "Feature request: parallel apps / app twin.",
            "let me clone apps, two accounts on one phone is basic stuff",
        ),
        "nl": (
            "Graag ondersteuning voor dubbele apps, zodat ik twee WhatsApp-accounts kan gebruiken.",
            "Ik wil apps kunnen klonen voor mijn werk- en privé-Telegram.",
            "Komt er een functie voor dubbele apps? Ik heb twee simkaarten.",
            "Verzoek: apps dupliceren voor een tweede account.",
            "laat me apps klonen, twee accounts op een telefoon is toch normaal",
        ),
        "ru": (
            "Сделайте клонирование приложений, чтобы было два аккаунта WhatsApp.",
            "Нужны двойные приложения: рабочий и личный Telegram.",
            "Будет ли функция двух копий приложения? У меня две SIM-карты.",
            "Предложение: параллельные приложения для второго аккаунта.",
            "дайте клонировать приложения, два аккаунта на одном телефоне это база",
        ),
        "zh-Hans": (
            "希望支持应用分身，可以登两个微信。",
            "需要应用双开，工作号和私人号分开。",
            "什么时候支持应用多开？我有两张卡。",
            "建议：增加应用分身功能。",
            "求应用双开，一台手机两个账号是基本需求吧",
        ),
        "zh-Hant": (
            "希望支援應用程式分身，可以登入兩個帳號。",
            "請加入App雙開功能。",
        ),
    },
    "praise": {
        "en": (
            "Great update, the phone feels much smoother now!",
            "Love this phone. Camera is amazing for the price.",
            "Battery lasts two days, very happy with my {model}.",
            "Best phone I've had so far, thanks Lumo team.",
            "The new animations look really nice, good job.",
            "everything works perfectly after the update, 5 stars",
            "Super fast and clean software, no bloat. Keep it up!",
        ),
        "nl": (
            "Top update, de telefoon voelt veel soepeler aan!",
            "Ik ben dol op deze telefoon. De camera is geweldig voor die prijs.",
            "Batterij gaat twee dagen mee, heel blij met mijn {model}.",
            "Beste telefoon die ik tot nu toe heb gehad, bedankt Lumo-team.",
            "De nieuwe animaties zien er echt mooi uit, goed gedaan.",
            "alles werkt perfect na de update, 5 sterren",
        ),
        "ru": (
            "Отличное обновление, телефон стал гораздо плавнее!",
            "Обожаю этот телефон. Камера потрясающая за свои деньги.",
            "Батарея держит два дня, очень доволен своим {model}.",
            "Лучший телефон из всех, что у меня были, спасибо команде Lumo.",
            "Новые анимации выглядят очень красиво, молодцы.",
            "после обновления всё работает идеально, 5 звёзд",
        ),
        "zh-Hans": (
            "这次更新很棒，手机流畅多了！",
            "很喜欢这台手机，这个价位拍照非常好。",
            "续航能用两天，{model}很满意。",
            "用过最好的手机，感谢Lumo团队。",
            "新动画很好看，点赞。",
            "更新后一切正常，五星好评",
        ),
        "zh-Hant": (
            "這次更新很棒，手機順暢很多！",
            "很喜歡這支手機，拍照很讚。",
        ),
    },
    "question_update": {
        "en": (
            "When will {build} come to the stable channel?",
            "How do I join the beta program?",
            "Is my {model} going to get the next update?",
            "I haven't received the update yet, is it rolling out in stages?",
            "how do i check which version i'm on?",
            "Is it safe to install the beta on my main phone?",
        ),
        "nl": (
            "Wanneer komt {build} naar het stabiele kanaal?",
            "Hoe kan ik meedoen aan het bètaprogramma?",
            "Krijgt mijn {model} de volgende update ook?",
            "Ik heb de update nog niet ontvangen, wordt die gefaseerd uitgerold?",
            "hoe zie ik welke versie ik heb?",
        ),
        "ru": (
            "Когда {build} выйдет в стабильном канале?",
            "Как попасть в бета-программу?",
            "Получит ли мой {model} следующее обновление?",
            "Мне ещё не пришло обновление, его раскатывают поэтапно?",
            "как посмотреть, какая у меня версия?",
            "Безопасно ли ставить бету на основной телефон?",
        ),
        "zh-Hans": (
            "{build}什么时候推送稳定版？",
            "怎么加入内测？",
            "我的{model}能收到下一次更新吗？",
            "我还没收到更新，是分批推送的吗？",
            "怎么查看当前系统版本？",
            "主力机装测试版安全吗？",
        ),
        "zh-Hant": (
            "{build}什麼時候會推送正式版？",
            "要怎麼加入測試計畫？",
        ),
    },
    "noise": {
        "en": (
            "ok",
            "Phone is too expensive for what it is.",
            "Delivery took three weeks, not happy.",
            "meh",
            "The case I bought doesn't fit.",
            "why is everything so slow",
            "Can't log in to my account, help",
            "asdfgh",
            "Worst customer service ever.",
        ),
        "nl": (
            "prima",
            "Veel te duur voor wat het is.",
            "Levering duurde drie weken, niet blij.",
            "Het hoesje dat ik kocht past niet.",
            "waarom is alles zo traag",
            "Slechtste klantenservice ooit.",
            "Ik kan niet inloggen op mijn account, help",
        ),
        "ru": (
            "норм",
            "Слишком дорого для такого телефона.",
            "Доставка шла три недели, недоволен.",
            "Купленный чехол не подходит.",
            "почему всё так медленно",
            "Худшая поддержка в мире.",
            "Не могу войти в аккаунт, помогите",
        ),
        "zh-Hans": (
            "还行",
            "这个价格有点贵了。",
            "快递走了三个星期，很不满意。",
            "买的手机壳装不上。",
            "为什么这么卡",
            "客服态度太差了。",
            "登录不了账号，求助",
        ),
        "zh-Hant": (
            "還好",
            "客服態度很差。",
        ),
    },
}

#: Sentences put before a bug report.
BUG_PREFIX: dict[str, tuple[str, ...]] = {
    "en": (
        "Updated to {build} yesterday.",
        "I have a {model}.",
        "Hi Lumo team,",
        "Not sure if this is known, but:",
        "Second time reporting this.",
    ),
    "nl": (
        "Gisteren geüpdatet naar {build}.",
        "Ik heb een {model}.",
        "Hallo Lumo-team,",
        "Geen idee of dit al bekend is, maar:",
        "Ik meld dit voor de tweede keer.",
    ),
    "ru": (
        "Вчера обновился до {build}.",
        "У меня {model}.",
        "Здравствуйте, команда Lumo!",
        "Не знаю, известно ли вам, но:",
        "Пишу об этом уже второй раз.",
    ),
    "zh-Hans": (
        "昨天升级到了{build}。",
        "我用的是{model}。",
        "Lumo团队你们好，",
        "不知道你们知不知道这个问题：",
        "第二次反馈这个问题了。",
    ),
    "zh-Hant": ("昨天更新到{build}。", "我用的是{model}。"),
}

#: Sentences put after a bug report.
BUG_SUFFIX: dict[str, tuple[str, ...]] = {
    "en": (
        "Started after the last update.",
        "Restarting doesn't help.",
        "Already tried a factory reset.",
        "Please fix asap!",
        "Happens every day.",
        "My wife's phone has the same problem.",
        "This is on {build}.",
        "Very disappointed.",
    ),
    "nl": (
        "Begonnen na de laatste update.",
        "Opnieuw opstarten helpt niet.",
        "Fabrieksreset al geprobeerd.",
        "Graag snel oplossen!",
        "Gebeurt elke dag.",
        "De telefoon van mijn vrouw heeft hetzelfde.",
        "Dit is op {build}.",
        "Erg teleurgesteld.",
    ),
    "ru": (
        "Началось после последнего обновления.",
        "Перезагрузка не помогает.",
        "Сброс до заводских уже делал.",
        "Исправьте поскорее!",
        "Повторяется каждый день.",
        "У жены на телефоне то же самое.",
        "Версия {build}.",
        "Очень разочарован.",
    ),
    "zh-Hans": (
        "上次更新后开始的。",
        "重启也没用。",
        "已经恢复出厂设置过了。",
        "请尽快修复！",
        "每天都这样。",
        "我老婆的手机也一样。",
        "版本是{build}。",
        "太失望了。",
        "怎么回事？",
        "求解决。",
        "无语了。",
    ),
    "zh-Hant": ("重開機也沒用。", "請盡快修復！", "每天都這樣。"),
}

#: Sentences put after a feature request.
FEATURE_SUFFIX: dict[str, tuple[str, ...]] = {
    "en": (
        "Thanks!",
        "Please add it in the next update.",
        "Would make the phone perfect.",
        "Other brands have had this for years.",
    ),
    "nl": (
        "Bedankt!",
        "Graag in de volgende update.",
        "Dan is de telefoon perfect.",
        "Andere merken hebben dit al jaren.",
    ),
    "ru": (
        "Спасибо!",
        "Добавьте в следующем обновлении.",
        "Тогда телефон будет идеальным.",
        "У других брендов это есть уже много лет.",
    ),
    "zh-Hans": ("谢谢！", "希望下个版本加上。", "有了这个就完美了。", "别的品牌早就有了。"),
    "zh-Hant": ("謝謝！", "希望下一版加入。"),
}

#: Added when a reporter writes about the same bug again.
STILL_BROKEN: dict[str, str] = {
    "en": "Still not fixed.",
    "nl": "Nog steeds niet opgelost.",
    "ru": "До сих пор не исправлено.",
    "zh-Hans": "还是没修好。",
    "zh-Hant": "還是沒修好。",
}

EMOJI: dict[str, tuple[str, ...]] = {
    "bug": ("😡", "😤", "😭", "🙄", "👎", "🤬"),
    "feature": ("🙏", "😊", "✨"),
    "question": ("🤔", "❓"),
    "praise": ("👍", "❤️", "😍", "🔥"),
    "other": ("🙄", "😐", "🤷"),
}

#: Personal data a user might type. Placeholders: {email}, {phone}, {imei}, {serial}.
PII_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "You can reach me at {email}.",
        "Call me at {phone} if you need logs.",
        "My IMEI is {imei}.",
        "IMEI {imei}",
        "S/N: {serial}",
        "Contact: {email} / {phone}",
    ),
    "nl": (
        "Je kunt me mailen op {email}.",
        "Bel me gerust op {phone} als jullie logs nodig hebben.",
        "Mijn IMEI is {imei}.",
        "S/N: {serial}",
    ),
    "ru": (
        "Пишите на {email}.",
        "Мой телефон для связи: {phone}.",
        "Мой IMEI {imei}.",
        "S/N: {serial}",
    ),
    "zh-Hans": (
        "我的邮箱：{email}",
        "有需要可以打我电话{phone}",
        "IMEI {imei}",
        "S/N: {serial}",
    ),
    "zh-Hant": ("我的信箱：{email}", "可以打給我{phone}", "IMEI {imei}"),
}

#: Romanised made-up name parts for e-mail local parts, by region.
NAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CN": (
        ("wei", "fang", "min", "jing", "lei", "yan", "tao", "ming", "hui", "qiang"),
        ("wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu"),
    ),
    "RU": (
        ("ivan", "olga", "dmitry", "anna", "sergey", "elena", "pavel", "irina", "alexey", "maria"),
        ("petrov", "ivanova", "smirnov", "kuznetsova", "popov", "sokolova", "volkov", "orlova"),
    ),
    "NL": (
        ("jan", "sanne", "pieter", "lotte", "daan", "emma", "bram", "fleur", "thijs", "noor"),
        ("devries", "jansen", "bakker", "visser", "smit", "meijer", "bos", "mulder", "dekker"),
    ),
    "US": (
        ("mike", "sarah", "john", "emily", "chris", "jess", "david", "ashley", "kevin", "megan"),
        ("smith", "johnson", "brown", "miller", "davis", "wilson", "moore", "taylor", "clark"),
    ),
}
EMAIL_DOMAIN: dict[str, str] = {
    "CN": "example.cn",
    "RU": "example.ru",
    "NL": "example.nl",
    "US": "example.com",
}
