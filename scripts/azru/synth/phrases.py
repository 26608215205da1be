"""The words synthetic rows are made of: names, places, quotes and titles, most in four languages.

No phrase holds a double quote, starts with a formula character or hides an invisible character, so
every cell built from them is clean by the rules `azru validate` enforces. "" in a list is an empty cell.
"""

# The countries synthetic rows use; also the codelist written when the package imitated has none yet
# (`azru schemas` generates it).
COUNTRIES = {
    "AZ": "Azerbaijan",
    "RU": "Russian Federation",
    "UA": "Ukraine",
    "KZ": "Kazakhstan",
    "FR": "France",
    "TR": "Türkiye",
    "GE": "Georgia",
    "AM": "Armenia",
}

DATE_NOTES = [
    "Resolved 'on Tuesday' against the publication date of the cited source.",
    "Bounded by the arrest and the first court hearing, both dated in the sources.",
    "The source says 'last month', counted from its dateline.",
]

LANGUAGES = ["en", "ru", "ar", "az"]
# Source i is in LANGUAGES[LANGUAGE_CYCLE[i % 8]]: every even source is English, so the English
# spelling of a name can always be placed in an English source and the others in a non-English one.
LANGUAGE_CYCLE = [0, 1, 0, 2, 0, 3, 0, 1]

# (English, Russian, Arabic, Azerbaijani) renderings, one tuple per phrase.
QUOTES = [
    (
        "Security officers detained him at his home, his lawyer said",
        "Сотрудники силовых структур задержали его дома, заявил его адвокат",
        "احتجزه عناصر الأمن في منزله، بحسب محاميه",
        "Təhlükəsizlik əməkdaşları onu evində saxladılar, vəkili bildirib",
    ),
    (
        "The ministry summoned the ambassador and handed over a protest note",
        "Министерство вызвало посла и вручило ноту протеста",
        "استدعت الوزارة السفير وسلمته مذكرة احتجاج",
        "Nazirlik səfiri çağırdı və etiraz notası təqdim etdi",
    ),
    (
        "Relatives say the detainees were beaten, threatened and denied a lawyer",
        "Родственники утверждают, что задержанных избивали, им угрожали и не допускали адвоката",
        "يقول أقارب المحتجزين إنهم تعرضوا للضرب والتهديد وحرموا من محام",
        "Qohumlar deyir ki, saxlanılanlar döyülüb, hədələnib və vəkildən məhrum ediliblər",
    ),
    (
        "Officials denied the allegations, calling them a provocation",
        "Официальные лица опровергли обвинения, назвав их провокацией",
        "نفى المسؤولون الاتهامات، ووصفوها بأنها استفزاز",
        "Rəsmilər iddiaları təkzib edərək onları təxribat adlandırdılar",
    ),
    (
        "The court extended the pre-trial detention by three months",
        "Суд продлил срок содержания под стражей на три месяца",
        "مددت المحكمة فترة الحبس الاحتياطي ثلاثة أشهر",
        "Məhkəmə həbs müddətini üç ay uzatdı",
    ),
    (
        "Rights groups called for an independent investigation, citing medical reports",
        "Правозащитники призвали к независимому расследованию, сославшись на медицинские заключения",
        "دعت منظمات حقوقية إلى تحقيق مستقل، مستندة إلى تقارير طبية",
        "Hüquq müdafiəçiləri tibbi rəylərə istinad edərək müstəqil araşdırmaya çağırıblar",
    ),
]
# Each quote ends with a case number so that quotes differ and each one can be found in its archive text.
CASE_WORDS = ("case", "дело", "القضية", "iş")
TITLES = [
    (
        "Relations between Moscow and Baku deteriorate",
        "Отношения между Москвой и Баку ухудшаются",
        "تدهور العلاقات بين موسكو وباكو",
        "Moskva ilə Bakı arasında münasibətlər pisləşir",
    ),
    (
        "Detentions, summonses and protests: a chronology",
        "Задержания, вызовы и протесты: хроника",
        "اعتقالات واستدعاءات واحتجاجات: تسلسل زمني",
        "Saxlanmalar, çağırışlar və etirazlar: xronologiya",
    ),
]
FIRST_NAMES = [
    ("Rauf", "Рауф", "رؤوف", "Rauf"),
    ("Leyla", "Лейла", "ليلى", "Leyla"),
    ("Elchin", "Эльчин", "إلتشين", "Elçin"),
    ("Gunel", "Гюнель", "غونيل", "Günel"),
    ("Tofig", "Тофиг", "توفيق", "Tofiq"),
    ("Aynur", "Айнур", "آينور", "Aynur"),
    ("Ramil", "Рамиль", "راميل", "Ramil"),
    ("Sevinj", "Севиндж", "سفينج", "Sevinc"),
]
LAST_NAMES = [
    ("Mammadov", "Мамедов", "محمدوف", "Məmmədov"),
    ("Aliyeva", "Алиева", "علييفا", "Əliyeva"),
    ("Huseynov", "Гусейнов", "حسينوف", "Hüseynov"),
    ("Guliyeva", "Гулиева", "قولييفا", "Quliyeva"),
    ("Hasanov", "Гасанов", "حسنوف", "Həsənov"),
    ("Ismayilova", "Исмаилова", "إسماعيلوفا", "İsmayılova"),
    ("Karimov", "Каримов", "كريموف", "Kərimov"),
    ("Safarova", "Сафарова", "صفروفا", "Səfərova"),
]
# (place, country, location precision, its row of `places`); "" for a missing place, country or row.
PLACES = [
    ("Baku", "AZ", "town", "Baku"),
    ("Sputnik Azerbaijan office, Baku", "AZ", "site", "Baku"),
    ("Nakhchivan", "AZ", "region", "Nakhchivan"),
    ("Yekaterinburg", "RU", "town", "Yekaterinburg"),
    ("Moscow", "RU", "town", "Moscow"),
    ("near Aktau", "KZ", "near-town", "Aktau"),
    ("over the Caspian Sea", "", "airspace", ""),
    ("", "AZ", "country", ""),
    ("", "RU", "country", ""),
    ("", "", "unknown", ""),
]
SUMMARIES = [
    "Security forces raided an office, detaining several staff members",
    "Relatives allege that a detainee was tortured in custody; officials deny it",
    "A ministry summoned a foreign diplomat over the treatment of its citizens",
    "A court sentenced a journalist, according to his lawyer",
    "Two men died during a police raid, the investigators said",
    "Rights groups published a report naming those they hold responsible",
]
ACTOR_DESCRIPTIONS = [
    "Journalist",
    "Opposition activist, Baku",
    "Lawyer for several detainees",
    "Security service",
    "Ministry of foreign affairs",
    "Regional court",
]
PUBLISHERS = ["Turan", "Meydan TV", "Caucasian Knot", "Sputnik Azerbaijan", ""]
GROUPS = [
    "staff of a news agency, Baku office",
    "migrant workers from Azerbaijan",
    "protesters outside the embassy",
    "relatives of a detained blogger",
]
CHARGES = [
    "Smuggling, illegal entrepreneurship and money laundering",
    "Espionage",
    "Hooliganism",
    "",
]
LEGAL_ARTICLES = "206.3.2; 193-1.3.1"
SUMMONS_REASONS = [
    "Deaths of citizens during a police raid",
    "Detention of journalists, described as politically motivated",
    "Statements by officials, called unfriendly",
]
SUMMONS_DEMANDS = [
    "A thorough investigation and punishment of those responsible",
    "Release of the detainees",
    "",
]
NOTES = [
    "Synthetic row written by azru synth; not real data.",
    "Wording checked against the archived source.",
    "",
]
# Arabic in a text field so that every table with notes exercises multi-byte UTF-8 and right-to-left text.
ARABIC_NOTE = "الاسم كما ورد في المصدر: باكو"
FILLER = (
    "This synthetic document was written by azru synth for tests and benchmarks. "
    "It carries the quotes and name spellings that the synthetic tables cite."
)
