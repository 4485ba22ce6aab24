"""Realistic, reproducible demo data: a practice, its physicians and up to millions of patients.

A million patients load in a few minutes: rows are built as plain tuples from pre-folded name
pools and written with the drivers' bulk paths (executemany on SQLite, COPY on PostgreSQL) in
one transaction, with the secondary indexes (and, on PostgreSQL, the foreign keys) rebuilt once
at the end when the patient table started empty. The audit trail gets one entry for the load.
All people, practices, phone numbers and addresses are invented.
"""

from __future__ import annotations

import random
import time
import unicodedata
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, DropConstraint

from frontdesk.db.engine import Database
from frontdesk.db.models import Location, PracticeProfile, Provider
from frontdesk.db.models_patients import Patient, Referrer, patient_search_keys
from frontdesk.db.types import utcnow
from frontdesk.demo.history import generate_histories
from frontdesk.demo.requests import generate_requests
from frontdesk.demo.scheduling import generate_schedule
from frontdesk.domain.actor import Actor, workstation_name
from frontdesk.domain.names import fold, name_tokens
from frontdesk.domain.npi import npi_check_digit
from frontdesk.domain.permissions import Permission, Role
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.domain.search_query import e164_search_key, format_mrn
from frontdesk.services.kernel.changes import EVERYTHING
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import (
    MAX_TOKENS_LENGTH,
    adjust_term_counts,
    reserve_mrns,
    term_counts,
)

CHUNK = 20_000
# Bumped whenever the generator changes what a seed produces (benchmarks key their reused
# databases on it).
DEMO_FORMAT = 4
DEMO_USER = "demo"
PATIENTS = Patient.__table__
KEYS = patient_search_keys


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    referrers: int
    providers: int
    locations: int
    first_mrn: str
    last_mrn: str
    seconds: float


# --- name pools -------------------------------------------------------------------------
# Each group: (weight %, female first names, male first names, last names, languages).
# Names appear in the original script where people would write them so (Han, Cyrillic,
# Greek, Arabic) as well as in Latin letters, as a US practice's records do.

_GROUPS: dict[str, tuple[float, str, str, str, str]] = {
    "anglo": (
        36,
        "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy "
        "Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa "
        "Deborah Stephanie Rebecca Sharon Laura Cynthia Dorothy Amy Kathleen Angela Shirley "
        "Brenda Emma Anna Pamela Nicole Samantha Katherine Christine Helen Debra Rachel "
        "Carolyn Janet Maria Catherine Heather Diane Olivia Julie Joyce Victoria Ruth Virginia "
        "Lauren Kelly Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline "
        "Martha Madison Teresa Gloria Sara Janice Ann Kathryn Abigail Sophia Frances Jean "
        "Alice Judy Isabella Julia Grace Amber Denise Danielle Marilyn Beverly Charlotte "
        "Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie Zoë Chloé",
        "James Robert John Michael David William Richard Joseph Thomas Christopher Charles "
        "Daniel Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian "
        "Timothy Ronald George Jason Edward Jeffrey Ryan Jacob Nicholas Gary Eric Jonathan "
        "Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank "
        "Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Zachary Douglas Peter "
        "Kyle Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin Sean Gerald Carl "
        "Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan Alan "
        "Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy Ralph Bobby Russell Bradley "
        "Philip Eugene",
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
        "Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
        "Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips "
        "Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan "
        "Peterson Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks "
        "Bennett Gray James Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry "
        "Russell Sullivan Butler Barnes Fisher Henderson Coleman Simmons Patterson Jordan "
        "Reynolds Hamilton Graham Wallace Cole West Stone Hayes Gibson Ellis Ford Marshall "
        "Owens Harrison Kennedy Wells Smith-Jones Lloyd-Davies Ashby-Clarke",
        "English",
    ),
    "hispanic": (
        22,
        "María Guadalupe Juana Margarita Josefina Verónica Leticia Rosa Teresa Patricia "
        "Elizabeth Alejandra Gabriela Adriana Carmen Ana Sofía Valentina Camila Ximena Lucía "
        "Mariana Daniela Isabel Dolores Rocío Ángela Araceli Beatriz Inés Mónica Pilar Concepción "
        "Marisol Yolanda Esperanza Luz Catalina Paola Raquel Nayeli Itzel",
        "José Juan Luis Carlos Jesús Miguel Francisco Antonio Alejandro Pedro Manuel Ricardo "
        "Jorge Roberto Fernando Eduardo Rafael Sergio Javier Andrés Ángel Raúl Héctor Óscar "
        "Martín Iván Julián Emilio Mateo Santiago Diego Tomás Ramón Joaquín Agustín Rubén "
        "Adrián Gonzalo Hugo Víctor",
        "García Martínez Rodríguez López Hernández González Pérez Sánchez Ramírez Torres Flores "
        "Rivera Gómez Díaz Reyes Cruz Morales Ortiz Gutiérrez Chávez Ramos Ruiz Álvarez "
        "Mendoza Castillo Jiménez Vásquez Moreno Romero Herrera Medina Aguilar Vargas Guzmán "
        "Muñoz Núñez Peña Ibáñez Castañeda Domínguez Fernández Márquez Ordóñez Saldaña Zúñiga "
        "Núñez-García Pérez-López De la Cruz Del Río Santa María",
        "Spanish",
    ),
    "vietnamese": (
        4,
        "Linh Anh Thảo Hương Lan Mai Ngọc Trang Hà Thu Hạnh Phương Nhung Uyên Vy",
        "Minh Đức Hùng Tuấn Dũng Quang Hải Long Nam Sơn Khoa Phúc Bảo Huy Thắng",
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý",
        "Vietnamese",
    ),
    "chinese": (
        5,
        "秀英 芳 娜 敏 静 丽 婷 Mei Ling Xiu Ying Fang Hui Yan Jing Li Na",
        "伟 强 磊 军 洋 勇 杰 Wei Jun Hao Lei Ming Qiang Yong Jie Tao",
        "王 李 张 刘 陈 杨 黄 赵 Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu",
        "Mandarin",
    ),
    "arabic": (
        3,
        "فاطمة مريم Fatima Aisha Mariam Layla Noor Yasmin Huda Amira Salma",
        "محمد أحمد Mohammed Ahmed Omar Ali Hassan Yusuf Khalid Ibrahim Tariq Karim",
        "حداد Haddad Al-Sayed El-Amin Khoury Nasser Saleh Mansour Abdullah Al-Masri Farouk",
        "Arabic",
    ),
    "greek": (
        2,
        "Μαρία Ελένη Maria Eleni Katerina Sofia Georgia Dimitra Vasiliki",
        "Γιώργος Νίκος Georgios Nikolaos Dimitrios Konstantinos Ioannis Panagiotis",
        "Παπαδόπουλος Παπαδοπούλου Papadopoulos Georgiou Nikolaidis Pappas Karagiannis "
        "Oikonomou Vlachos",
        "Greek",
    ),
    "russian": (
        3,
        "Ольга Наталья Olga Natalia Svetlana Irina Tatiana Ekaterina Anastasia Yulia",
        "Иван Дмитрий Ivan Dmitry Sergei Alexei Andrei Mikhail Nikolai Vladimir",
        "Петров Смирнова Иванов Petrov Ivanov Smirnov Volkov Kuznetsov Sokolova Popova "
        "Morozov Lebedev",
        "Russian",
    ),
    "irish": (
        5,
        "Siobhán Aoife Niamh Saoirse Róisín Caoimhe Sinéad Máire Orla Bríd Eileen Clodagh",
        "Seán Pádraig Ciarán Eoin Cian Oisín Darragh Colm Liam Declan Éamon Tadhg",
        "O'Connor O'Brien O'Neill O'Sullivan McCarthy Murphy Kelly Walsh Byrne Ryan "
        "O'Reilly Ó Súilleabháin Mac Giolla Ní Bhriain Gallagher Doherty D'Arcy",
        "English",
    ),
    "european": (
        7,
        "François Hélène Chloé Zoë Amélie Élodie Giulia Francesca Chiara Søren Åsa Ingrid "
        "Astrid Małgorzata Agnieszka Zofia Jürgen Greta Björk Anneliese",
        "François René Jérôme Étienne Giuseppe Marco Luca Björn Øyvind Søren Lars Łukasz "
        "Paweł Wojciech Jürgen Günther Matthias Stefan Klaus",
        "Müller Schröder Weiß Schäfer Fischer Lindqvist Sørensen Østergaard Johansson "
        "Wójcik Kowalczyk Zieliński Wiśniewski Rossi Bianchi Esposito D'Angelo DeLuca "
        "Lefèvre Dubois Lemaître Bérubé Côté",
        "English",
    ),
    "south_asian": (
        5,
        "Priya Anjali Deepa Sunita Kavya Neha Pooja Lakshmi Aarti Meera",
        "Anil Raj Vikram Arjun Rahul Sanjay Amit Ravi Suresh Karthik",
        "Patel Shah Singh Sharma Gupta Kumar Reddy Iyer Nair Desai Mehta Chatterjee",
        "English",
    ),
    "korean": (
        2,
        "Ji-woo Seo-yeon Min-ji Ha-eun Soo-jin Eun-ji",
        "Min-jun Ji-ho Seo-jun Hyun-woo Jae-won Sung-min",
        "Kim Lee Park Choi Jung Kang Cho Yoon 김 박",
        "Korean",
    ),
}

_OTHER_LANGUAGE_SHARE = {
    "hispanic": 0.45,
    "vietnamese": 0.5,
    "chinese": 0.5,
    "arabic": 0.35,
    "greek": 0.2,
    "russian": 0.45,
    "korean": 0.4,
}

_AREA_CODES = tuple(
    str(code)
    for code in (
        *(217, 309, 312, 773, 630, 847, 708, 815, 618, 224, 331, 779, 314, 636, 317, 414),
        *(608, 319, 563, 515, 402, 816, 612, 651, 313, 216, 614, 513, 502, 615, 404, 713),
        *(512, 602, 303, 206, 503, 415, 305, 212),
    )
)
_TOWNS = (
    ("Springfield", "IL", "627"),
    ("Chatham", "IL", "626"),
    ("Decatur", "IL", "625"),
    ("Champaign", "IL", "618"),
    ("Peoria", "IL", "616"),
    ("Bloomington", "IL", "617"),
    ("Jacksonville", "IL", "626"),
    ("Lincoln", "IL", "626"),
    ("Taylorville", "IL", "625"),
    ("Quincy", "IL", "623"),
    ("St. Louis", "MO", "631"),
    ("Chicago", "IL", "606"),
)
_STREETS = (
    "Main St",
    "Oak Ave",
    "Maple St",
    "Washington St",
    "Lincoln Ave",
    "Park Pl",
    "Cedar Ln",
    "Elm St",
    "Walnut St",
    "Lake Shore Dr",
    "Calle del Sol",
    "N 5th St",
    "S Grand Ave",
    "Wabash Ave",
    "Chestnut St",
    "Hickory Ct",
)
_PAYERS = (
    ("Blue Cross Blue Shield of Illinois", ("PPO", "HMO Illinois", "Blue Choice")),
    ("UnitedHealthcare", ("Choice Plus", "Navigate HMO")),
    ("Aetna", ("Open Access", "Managed Choice")),
    ("Cigna", ("Open Access Plus", "LocalPlus")),
    ("Humana", ("Gold Plus HMO", "ChoiceCare PPO")),
    ("Health Alliance", ("Medicare Advantage", "Commercial PPO")),
    ("Illinois Medicaid", ("HealthChoice Illinois",)),
    ("Workers' Compensation", ("Employer claim",)),
)
_NOTES = (
    "Prefers morning appointments.",
    "Uses a walker; needs the ground-floor entrance.",
    "Daughter schedules appointments; call her first.",
    "Hard of hearing: speak slowly, face the patient.",
    "Allergic to latex.",
    "Works nights; call after 2 pm.",
    "Needs a wheelchair at check-in.",
    "Transportation by county van; allow extra time.",
)
_RELATIONSHIPS = ("spouse", "daughter", "son", "mother", "father", "sister", "brother", "friend")


def _weights(count: int) -> list[float]:
    # A few names are common and many are rare, as in real name lists (Zipf-like).
    cumulative, total = [], 0.0
    for rank in range(count):
        total += 1.0 / (rank + 1) ** 0.7
        cumulative.append(total)
    return cumulative


@dataclass(frozen=True)
class _Pool:
    names: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, names: Sequence[str]) -> _Pool:
        return cls(tuple(names), tuple(_weights(len(names))))

    def __bool__(self) -> bool:
        return bool(self.names)

    def pick(self, rng: random.Random) -> str:
        return self.names[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _split_names(words: str) -> list[str]:
    # Multi-word surnames stay together ("De la Cruz", "Ó Súilleabháin", "Mac Giolla").
    particles = {"De", "la", "Del", "Santa", "Ó", "Mac", "Ní", "Al", "El"}
    names: list[str] = []
    pending: list[str] = []
    for word in words.split():
        pending.append(word)
        if word not in particles:
            names.append(" ".join(pending))
            pending = []
    return names


def _is_latin(name: str) -> bool:
    return all(
        not char.isalpha() or unicodedata.name(char, "").startswith("LATIN") for char in name
    )


@dataclass(frozen=True)
class _Names:
    female: _Pool
    male: _Pool
    last: _Pool

    @classmethod
    def of(cls, female: str, male: str, last: str, *, latin: bool) -> _Names:
        def pool(words: str) -> _Pool:
            return _Pool.of([name for name in _split_names(words) if _is_latin(name) is latin])

        return cls(pool(female), pool(male), pool(last))


@dataclass(frozen=True)
class _Group:
    name: str
    latin: _Names
    # Names in the group's own script (Han, Cyrillic, Greek, Arabic, Hangul), if any.
    native: _Names | None
    language: str
    middle_name_share: float


_MIDDLE_NAME_SHARE = {"anglo": 0.45, "hispanic": 0.4, "irish": 0.35, "european": 0.3}
NATIVE_SCRIPT_SHARE = 0.35


@lru_cache(maxsize=1)
def _groups() -> tuple[list[_Group], list[float]]:
    groups, cumulative, total = [], [], 0.0
    for key, (weight, female, male, last, language) in _GROUPS.items():
        native = _Names.of(female, male, last, latin=False)
        groups.append(
            _Group(
                key,
                _Names.of(female, male, last, latin=True),
                native if native.female and native.male and native.last else None,
                language,
                _MIDDLE_NAME_SHARE.get(key, 0.08),
            )
        )
        total += weight
        cumulative.append(total)
    return groups, cumulative


@lru_cache(maxsize=65536)
def _compact(name: str) -> str:
    return "".join(fold(name).split())


# --- the practice -----------------------------------------------------------------------

_PROVIDERS = (
    ("Ana", "Lindqvist", "MD", "Orthopedic spine surgery"),
    ("Rahul", "Menon", "MD", "Neurosurgery"),
    ("Claire", "O'Donnell", "DO", "Physical medicine and rehabilitation"),
    ("Tomás", "Ibarra", "PA-C", "Spine surgery"),
    ("Grace", "Whitfield", "NP", "Pain management"),
)
# Name, address, phone and the Spanish name Spanish letters print.
_LOCATIONS = (
    ("Main office", "100 Main St\nSpringfield, IL 62701", "+12175550100", "Oficina principal"),
    ("Decatur clinic", "455 N Water St\nDecatur, IL 62523", "+12175550180", "Clínica de Decatur"),
    (
        "Surgery center",
        "2800 Lakeview Dr\nSpringfield, IL 62704",
        "+12175550160",
        "Centro de cirugía",
    ),
)
_REFERRER_SPECIALTIES = (
    "Family medicine",
    "Internal medicine",
    "Physical therapy",
    "Pain medicine",
    "Rheumatology",
    "Neurology",
    "Emergency medicine",
    "Chiropractic",
)
_PRACTICES = (
    "Prairie Family Health",
    "Sangamon Valley Clinic",
    "Capitol Internal Medicine",
    "Lincoln Land Physical Therapy",
    "Riverside Medical Group",
    "Clínica Familiar Hispana",
    "Memorial Care Associates",
    "Westside Primary Care",
)


def _ensure_practice(session: Session, actor: Actor) -> tuple[int, int]:
    """Add the practice profile, providers and locations the database does not have yet."""
    now = utcnow()
    stamp = {
        "created_at": now,
        "created_by": actor.username,
        "updated_at": now,
        "updated_by": actor.username,
    }
    if session.get(PracticeProfile, 1) is None:
        session.add(
            PracticeProfile(
                id=1,
                name="Lakeside Spine Center",
                address="100 Main St\nSpringfield, IL 62701",
                main_phone="+12175550142",
                toll_free_phone="+18005550199",
                fax="+12175550143",
                website="https://lakeside-spine.example.com",
                time_zone="America/Chicago",
                **stamp,
            )
        )
    providers = locations = 0
    if not session.scalar(select(func.count()).select_from(Provider)):
        for first, last, credentials, specialty in _PROVIDERS:
            session.add(
                Provider(
                    first_name=first,
                    last_name=last,
                    credentials=credentials,
                    specialty=specialty,
                    **stamp,
                )
            )
            providers += 1
    if not session.scalar(select(func.count()).select_from(Location)):
        for name, address, phone, spanish_name in _LOCATIONS:
            session.add(
                Location(
                    name=name, address=address, phone=phone, spanish_name=spanish_name, **stamp
                )
            )
            locations += 1
    session.flush()
    return providers, locations


def _phone(rng: random.Random) -> str:
    exchange = rng.randint(200, 999)
    if exchange % 100 == 11:  # N11 codes are services, not exchanges
        exchange += 1
    return f"+1{rng.choice(_AREA_CODES)}{exchange}{rng.randint(0, 9999):04d}"


def _npi(rng: random.Random) -> str:
    first_nine = str(rng.choice((1, 2))) + f"{rng.randint(0, 99_999_999):08d}"
    return first_nine + str(npi_check_digit(first_nine))


def _add_referrers(connection: Connection, rng: random.Random, actor: Actor, count: int) -> int:
    """Add ``count`` referring physicians (Dr. Anil Patel first); returns their first id."""
    groups, cumulative = _groups()
    now = utcnow()
    rows = []
    used_npis = set(connection.execute(select(Referrer.npi)).scalars())
    for index in range(count):
        if index == 0:
            first, last, specialty, practice = (
                "Anil",
                "Patel",
                "Family medicine",
                "Prairie Family Health",
            )
        else:
            group = groups[bisect(cumulative, rng.random() * cumulative[-1])]
            pool = group.latin.female if rng.random() < 0.5 else group.latin.male
            first, last = pool.pick(rng), group.latin.last.pick(rng)
            specialty = rng.choice(_REFERRER_SPECIALTIES)
            practice = rng.choice(_PRACTICES)
        npi = _npi(rng)
        while npi in used_npis:
            npi = _npi(rng)
        used_npis.add(npi)
        town, state, zip3 = rng.choice(_TOWNS)
        rows.append(
            {
                "first_name": first,
                "last_name": last,
                "credentials": "PT, DPT"
                if specialty == "Physical therapy"
                else "DC"
                if specialty == "Chiropractic"
                else rng.choice(("MD", "MD", "DO")),
                "specialty": specialty,
                "practice_name": practice,
                "npi": npi,
                "phone": _phone(rng),
                "fax": _phone(rng),
                "email": "",
                "address": f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}\n"
                f"{town}, {state} {zip3}{rng.randint(0, 99):02d}",
                "active": True,
                "sort_key": " ".join((_compact(last), _compact(first))),
                "version": 1,
                "created_at": now,
                "created_by": actor.username,
                "updated_at": now,
                "updated_by": actor.username,
            }
        )
    before = connection.scalar(select(func.coalesce(func.max(Referrer.id), 0))) or 0
    connection.execute(insert(Referrer), rows)
    return int(before) + 1


# --- patients ---------------------------------------------------------------------------

_PATIENT_COLUMNS = (
    "id",
    "mrn",
    "first_name",
    "middle_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "mobile_phone",
    "home_phone",
    "work_phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "preferred_language",
    "interpreter_needed",
    "large_print",
    "preferred_contact",
    "insurance_payer",
    "insurance_plan",
    "insurance_member_id",
    "insurance_group_number",
    "subscriber_name",
    "subscriber_relationship",
    "subscriber_date_of_birth",
    "primary_care_id",
    "referring_id",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "notes",
    "sort_key",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)
_KEY_COLUMNS = ("key", "sort_key", "patient_id", "tokens")

# The people of docs/SCENARIOS: always in the demo, so every story can be played on it.
_SCENARIO_PEOPLE = (
    ("María José", "", "Núñez-García", "", date(1961, 3, 4), "female", "Spanish", True),
    ("Maria", "", "Nunez", "", date(1961, 4, 3), "female", "English", False),
    ("Seán", "Patrick", "O'Connor", "", date(1958, 9, 17), "male", "English", False),
)


class _PatientFactory:
    def __init__(
        self, rng: random.Random, referrers: Sequence[int], today: date, *, dates_as_text: bool
    ) -> None:
        self.rng = rng
        # SQLite stores dates as ISO text; handing the driver text avoids its deprecated
        # implicit date adapter.
        self.day: Callable[[date | None], Any] = (
            (lambda value: value.isoformat() if value is not None else None)
            if dates_as_text
            else (lambda value: value)
        )
        self.groups, self.cumulative = _groups()
        self.referrers = referrers
        self.today = today

    def _group(self) -> _Group:
        return self.groups[bisect(self.cumulative, self.rng.random() * self.cumulative[-1])]

    def _birth_date(self) -> date:
        # A spine practice: mostly adults of 40 to 80.
        age = min(max(self.rng.gauss(58, 16), 18.0), 101.0)
        return self.today - timedelta(days=int(age * 365.25) + self.rng.randint(0, 364))

    def person(
        self, scenario: tuple[Any, ...] | None
    ) -> tuple[str, str, str, str, date, str, str, bool]:
        rng = self.rng
        if scenario is not None:
            return scenario  # type: ignore[return-value]
        group = self._group()
        roll = rng.random()
        sex = "female" if roll < 0.52 else "male" if roll < 0.995 else "other"
        native = group.native is not None and rng.random() < NATIVE_SCRIPT_SHARE
        names = group.native if native and group.native is not None else group.latin
        pool = names.female if sex == "female" else names.male
        first = pool.pick(rng)
        if native or rng.random() >= 0.2:
            last = names.last.pick(rng)
        else:
            # One in five patients carries a surname from another group (marriage, adoption).
            last = self._group().latin.last.pick(rng)
        middle = ""
        if group.name == "vietnamese":
            middle = "Thị" if sex == "female" else "Văn"
        elif rng.random() < group.middle_name_share:
            middle = pool.pick(rng)
            if middle == first:
                middle = ""
        preferred = ""
        if not native and rng.random() < 0.04:
            preferred = rng.choice(("Bobby", "Kate", "Lupe", "Sasha", "Kevin", "Jenny", "Mo"))
        language = "English"
        share = _OTHER_LANGUAGE_SHARE.get(group.name, 0.0)
        if share and (native or rng.random() < share):
            language = group.language
        interpreter = language != "English" and rng.random() < 0.6
        return first, middle, last, preferred, self._birth_date(), sex, language, interpreter

    def rows(
        self, patient_id: int, mrn_number: int, scenario: tuple[Any, ...] | None, stamp: tuple
    ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        rng = self.rng
        first, middle, last, preferred, born, sex, language, interpreter = self.person(scenario)
        mobile = _phone(rng) if rng.random() < 0.85 else ""
        home = _phone(rng) if rng.random() < 0.35 else ""
        work = _phone(rng) if rng.random() < 0.12 else ""
        if scenario is not None and not mobile:
            mobile = _phone(rng)
        email = ""
        if rng.random() < 0.55:
            email = f"{_compact(first)[:12] or 'patient'}.{_compact(last)[:16] or 'x'}"
            email += (
                f"{rng.randint(1, 999)}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
            )
        town, state, zip3 = rng.choice(_TOWNS)
        age = born.year - self.today.year
        payer, plans = _PAYERS[rng.randrange(len(_PAYERS))]
        plan = rng.choice(plans)
        if -age >= 65 and rng.random() < 0.7:
            payer, plan = "Medicare", rng.choice(("Part B", "Medicare Advantage"))
        subscriber, relationship, subscriber_born = "", "", None
        if -age < 26 or rng.random() < 0.12:
            subscriber = f"{rng.choice(('Carlos', 'Linda', 'Mark', 'Ngoc', 'Olga'))} {last}"
            relationship = "parent" if -age < 26 else "spouse"
            subscriber_born = born - timedelta(days=rng.randint(-3000, 12000))
            if subscriber_born > self.today:
                subscriber_born = born
        pcp = self.referrers[rng.randrange(len(self.referrers))] if rng.random() < 0.7 else None
        referring = (
            self.referrers[rng.randrange(len(self.referrers))] if rng.random() < 0.55 else None
        )
        if scenario is not None and first == "María José":
            pcp = referring = self.referrers[0]  # Dr. Anil Patel
        contact_name = contact_relationship = contact_phone = ""
        if rng.random() < 0.5:
            contact_name = f"{rng.choice(('Ana', 'John', 'Mai', 'Omar', 'Rosa', 'Ivan'))} {last}"
            contact_relationship = rng.choice(_RELATIONSHIPS)
            contact_phone = _phone(rng)
        notes = rng.choice(_NOTES) if rng.random() < 0.08 else ""
        sort = " ".join((_compact(last), _compact(first), _compact(middle))).rstrip()[:120]
        patient = (
            patient_id,
            format_mrn(mrn_number),
            first,
            middle,
            last,
            preferred,
            self.day(born),
            sex,
            mobile,
            home,
            work,
            email,
            f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}",
            f"Apt {rng.randint(1, 40)}" if rng.random() < 0.15 else "",
            town,
            state,
            f"{zip3}{rng.randint(0, 99):02d}",
            "US",
            language,
            interpreter,
            # SCENARIOS 4: María José's packet is in large print (no draw: the demo stays the same).
            scenario is not None and first == "María José",
            rng.choice(("", "phone", "text", "text", "email", "mail")),
            payer,
            plan,
            f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.randint(10**8, 10**9 - 1)}",
            f"G{rng.randint(10000, 99999)}" if payer != "Medicare" else "",
            subscriber,
            relationship,
            self.day(subscriber_born),
            pcp,
            referring,
            contact_name,
            contact_relationship,
            contact_phone,
            notes,
            sort,
            *stamp,
        )
        keys = list(name_tokens(first, middle, last, preferred))
        for phone in (mobile, home, work):
            if phone:
                key = e164_search_key(phone)
                if key not in keys:
                    keys.append(key)
        tokens = " " + " ".join(keys) + " "
        if len(tokens) > MAX_TOKENS_LENGTH:  # pragma: no cover - names here are short
            tokens = tokens[:MAX_TOKENS_LENGTH].rsplit(" ", 1)[0] + " "
            keys = [key for key in keys if f" {key} " in tokens]
        return patient, [(key, sort, patient_id, tokens) for key in keys]


class _BulkWriter:
    """Writes rows with the driver's fastest path, inside the unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.raw = connection.connection.driver_connection
        self.is_sqlite = self.dialect.name == "sqlite"
        created = PATIENTS.c.created_at.type
        self._timestamp: Callable[[Any], Any] = created.bind_processor(self.dialect) or (
            lambda value: value
        )

    def timestamp(self, value: Any) -> Any:
        return self._timestamp(value)

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{name}"' for name in columns)
        if self.is_sqlite:
            marks = ", ".join("?" for _ in columns)
            cursor = self.raw.cursor()
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            cursor.close()
        else:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)


class _FastLoad:
    """Drops the patient tables' secondary indexes (and PostgreSQL foreign keys) for a bulk
    load into empty tables, and rebuilds them once at the end: far cheaper than maintaining
    them row by row."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.indexes = [*PATIENTS.indexes, *KEYS.indexes]
        self.foreign_keys = (
            []
            if connection.dialect.name == "sqlite"
            else [*PATIENTS.foreign_key_constraints, *KEYS.foreign_key_constraints]
        )

    def drop(self) -> None:
        for constraint in self.foreign_keys:
            self.connection.execute(DropConstraint(constraint))
        for index in self.indexes:
            index.drop(self.connection)

    def rebuild(self) -> None:
        if self.connection.dialect.name == "postgresql":
            self.connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for index in self.indexes:
            index.create(self.connection)
        for constraint in self.foreign_keys:
            self.connection.execute(AddConstraint(constraint))


def _pause_row_audit(connection: Connection) -> list[str]:
    """On PostgreSQL, switch off the per-row audit triggers for the load (the "demo" entry
    records it instead of one entry per generated row), when this login owns the tables;
    inside the transaction, so they are back however it ends. Returns the tables paused."""
    if connection.dialect.name != "postgresql":
        return []
    rows = connection.execute(
        text(
            "SELECT quote_ident(c.relname), pg_has_role(current_user, c.relowner, 'USAGE') "
            "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'frontdesk_audit_row' "
            "AND c.relnamespace = current_schema()::regnamespace"
        )
    ).all()
    if not rows or not all(owned for _table, owned in rows):
        return []
    for table, _owned in rows:
        connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER frontdesk_audit_row"))
    return [table for table, _owned in rows]


def _resume_row_audit(connection: Connection, tables: list[str]) -> None:
    for table in tables:
        connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER frontdesk_audit_row"))


def _resolve(target: ServiceContext | Database) -> ServiceContext:
    if isinstance(target, ServiceContext):
        return target
    actor = Actor(
        username=DEMO_USER,
        role=Role.ADMIN,
        workstation=workstation_name(),
        display_name="Demo data generator",
    )
    return ServiceContext(target, actor)


def generate(
    target: ServiceContext | Database,
    *,
    patients: int = 1_000,
    seed: int = 1,
    referrers: int | None = None,
    progress: ProgressCallback = no_progress,
    today: date | None = None,
    schedule_days: tuple[int, int] | None = None,
) -> DemoSummary:
    """Fill the database with a demo practice and ``patients`` synthetic patients.

    The same seed gives the same people. Adds to what is there (new MRNs continue the
    counter). All in one transaction: cancelling through ``progress`` leaves nothing behind.
    ``schedule_days``: the days of appointments before and after today (default half a
    year each way; the app's small demo takes fewer, to be ready in seconds).
    """
    if patients < 0:
        raise ValueError("patients must be zero or more")
    context = _resolve(target)
    rng = random.Random(seed)
    referrer_count = referrers if referrers is not None else max(20, min(400, patients // 2000))
    started = time.perf_counter()
    report_or_cancel(progress, 0, patients)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        session = uow.session
        providers, locations = _ensure_practice(session, context.actor)
        # The practice's day, not the computer's: late evening in Chicago is tomorrow in UTC.
        today = today or practice_today(session)
        connection = session.connection()
        paused = _pause_row_audit(connection)
        first_referrer = _add_referrers(connection, rng, context.actor, referrer_count)
        referrer_ids = list(range(first_referrer, first_referrer + referrer_count))
        empty = not connection.scalar(select(PATIENTS.c.id).limit(1))
        first_id = int(connection.scalar(select(func.coalesce(func.max(PATIENTS.c.id), 0)))) + 1
        first_mrn = reserve_mrns(session, patients) if patients else 0
        writer = _BulkWriter(connection)
        now = writer.timestamp(utcnow())
        stamp = (1, now, context.actor.username, now, context.actor.username)
        factory = _PatientFactory(
            rng, referrer_ids, today, dates_as_text=connection.dialect.name == "sqlite"
        )
        fast = _FastLoad(connection) if empty and patients >= CHUNK else None
        if fast is not None:
            fast.drop()
        tokens: Counter[str] = Counter()
        done = 0
        while done < patients:
            count = min(CHUNK, patients - done)
            patient_rows, key_rows = [], []
            for offset in range(done, done + count):
                scenario = _SCENARIO_PEOPLE[offset] if offset < len(_SCENARIO_PEOPLE) else None
                patient, keys = factory.rows(first_id + offset, first_mrn + offset, scenario, stamp)
                patient_rows.append(patient)
                key_rows.extend(keys)
                tokens.update(key[0] for key in keys if not key[0].startswith("#"))
            writer.write("patients", _PATIENT_COLUMNS, patient_rows)
            writer.write("patient_search_keys", _KEY_COLUMNS, key_rows)
            done += count
            report_or_cancel(progress, done, patients)
        if fast is not None:
            fast.rebuild()
        counts: Counter[str] = Counter()
        for token, charts in tokens.items():
            for term, count in term_counts((token,)).items():
                counts[term] += count * charts
        adjust_term_counts(connection, counts)
        generate_histories(
            connection,
            first_patient_id=first_id,
            patients=patients,
            seed=seed,
            today=today,
            username=context.actor.username,
        )
        generate_requests(
            connection,
            first_patient_id=first_id,
            patients=patients,
            seed=seed,
            today=today,
            username=context.actor.username,
            referrer_ids=referrer_ids,
        )
        span = (
            {}
            if schedule_days is None
            else dict(zip(("days_back", "days_ahead"), schedule_days, strict=True))
        )
        generate_schedule(
            uow, first_patient_id=first_id, patients=patients, seed=seed, today=today, **span
        )
        if connection.dialect.name == "postgresql":
            for table in ("patients", "referrers"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
                )
        _resume_row_audit(connection, paused)
        uow.record(
            "demo",
            "patients",
            details={
                "patients": patients,
                "seed": seed,
                "referrers": referrer_count,
                "first_mrn": format_mrn(first_mrn) if patients else "",
            },
        )
        uow.mark_changed(*EVERYTHING)
        uow.commit()
    _refresh_statistics(context.database, large=patients >= CHUNK)
    return DemoSummary(
        patients=patients,
        referrers=referrer_count,
        providers=providers,
        locations=locations,
        first_mrn=format_mrn(first_mrn) if patients else "",
        last_mrn=format_mrn(first_mrn + patients - 1) if patients else "",
        seconds=time.perf_counter() - started,
    )


def _refresh_statistics(database: Database, *, large: bool) -> None:
    """Planner statistics (and PostgreSQL's visibility map, for index-only scans)."""
    if not large:
        return
    if database.is_sqlite:
        with database.write_engine.begin() as connection:
            connection.execute(text("ANALYZE patients"))
            connection.execute(text("ANALYZE patient_search_keys"))
            connection.execute(text("ANALYZE patient_search_counts"))
    else:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                text(
                    "VACUUM (ANALYZE) patients, patient_search_keys, patient_search_counts, "
                    "referrers"
                )
            )
