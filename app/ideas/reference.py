"""Reference data: Gyeonggi's 31 cities and counties and the idea categories."""
import sqlalchemy as sa

from app.core.signals import sum_from_signal
from app.extensions import db
from app.ideas.models import Category, Municipality
from app.ideas.signals import reference_loaded

#: (code, Korean name, English name, kind)
MUNICIPALITIES = [
    ("suwon", "수원시", "Suwon", "city"),
    ("seongnam", "성남시", "Seongnam", "city"),
    ("uijeongbu", "의정부시", "Uijeongbu", "city"),
    ("anyang", "안양시", "Anyang", "city"),
    ("bucheon", "부천시", "Bucheon", "city"),
    ("gwangmyeong", "광명시", "Gwangmyeong", "city"),
    ("pyeongtaek", "평택시", "Pyeongtaek", "city"),
    ("dongducheon", "동두천시", "Dongducheon", "city"),
    ("ansan", "안산시", "Ansan", "city"),
    ("goyang", "고양시", "Goyang", "city"),
    ("gwacheon", "과천시", "Gwacheon", "city"),
    ("guri", "구리시", "Guri", "city"),
    ("namyangju", "남양주시", "Namyangju", "city"),
    ("osan", "오산시", "Osan", "city"),
    ("siheung", "시흥시", "Siheung", "city"),
    ("gunpo", "군포시", "Gunpo", "city"),
    ("uiwang", "의왕시", "Uiwang", "city"),
    ("hanam", "하남시", "Hanam", "city"),
    ("yongin", "용인시", "Yongin", "city"),
    ("paju", "파주시", "Paju", "city"),
    ("icheon", "이천시", "Icheon", "city"),
    ("anseong", "안성시", "Anseong", "city"),
    ("gimpo", "김포시", "Gimpo", "city"),
    ("hwaseong", "화성시", "Hwaseong", "city"),
    ("gwangju", "광주시", "Gwangju", "city"),
    ("yangju", "양주시", "Yangju", "city"),
    ("pocheon", "포천시", "Pocheon", "city"),
    ("yeoju", "여주시", "Yeoju", "city"),
    ("yeoncheon", "연천군", "Yeoncheon County", "county"),
    ("gapyeong", "가평군", "Gapyeong County", "county"),
    ("yangpyeong", "양평군", "Yangpyeong County", "county"),
]

#: (code, Korean name, English name)
CATEGORIES = [
    ("mobility", "교통·모빌리티", "Mobility"),
    ("energy", "에너지", "Energy"),
    ("safety", "안전", "Safety"),
    ("environment", "환경", "Environment"),
    ("health-welfare", "보건·복지", "Health and welfare"),
    ("housing-regeneration", "주거·도시재생", "Housing and urban regeneration"),
    ("economy-jobs", "경제·일자리", "Economy and jobs"),
    ("culture", "문화", "Culture"),
    ("governance", "행정·거버넌스", "Governance"),
]


def ensure_reference_data() -> int:
    """Insert any missing municipality or category (idempotent); return how many were added."""
    added = 0
    have = set(db.session.scalars(sa.select(Municipality.code)))
    for code, ko, en, kind in MUNICIPALITIES:
        if code not in have:
            db.session.add(Municipality(code=code, name_ko=ko, name_en=en, kind=kind))
            added += 1
    have = set(db.session.scalars(sa.select(Category.code)))
    for position, (code, ko, en) in enumerate(CATEGORIES):
        if code not in have:
            db.session.add(Category(code=code, name_ko=ko, name_en=en, position=position))
            added += 1
    db.session.flush()
    return added + sum_from_signal(reference_loaded.send(None))
