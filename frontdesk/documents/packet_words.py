"""The words of a pre-visit packet, in English and Spanish."""

from __future__ import annotations

from frontdesk.domain.handout_format import language_code

_WORDS = {
    "en": {
        "letter_footer": "Appointment confirmation",
        "letter_title": "Your appointment is confirmed",
        "dear": "Dear {name},",
        "confirms": "This letter confirms your visit at {practice}. Please keep it.",
        "when": "When",
        "with": "With",
        "where": "Where",
        "visit": "Visit",
        "arrive": "Please arrive {minutes} minutes early to fill out forms.",
        "bring_title": "What to bring",
        "bring_pointer": "Your own list of what to bring is on the page “{title}”.",
        "bring_id": "Your photo ID and insurance card",
        "bring_medicines": "A list of all the medicines you take, and how much",
        "bring_referral": "Your referral, if your insurance plan needs one",
        "bring_questions": "A list of your questions",
        "interpreter": "We have booked an interpreter for your visit",
        "reach_title": "How to reach us",
        "reach_pointer": "Our phone numbers are in your letter, under “{title}”.",
        "call": "Call us at {phones}.",
        "website": "Our website: {site}",
        "cannot_come": (
            "If you cannot come, please call us as soon as you can, so we can give your time "
            "to someone else."
        ),
        "note": "A note from our office",
        "personal_note": "A note for you",
        "closing": "We look forward to seeing you.",
        "team": "The team at {practice}",
        "personal_title": "What to bring: your own list",
        "personal_intro": "We looked at the records we have for you.",
        "please_bring": "Please bring:",
        "every_visit": "For every visit, bring:",
        "continued": "{label} (continued):",
        "we_have": "We already have:",
        "nothing_missing": "We have every record we asked for. Bring only the items below.",
        "no_records": (
            "We have no scans or reports from other doctors for you yet. If you have any, "
            "please bring them."
        ),
        "subject": "Pre-visit packet",
        "title": "Your visit on {day}",
    },
    "es": {
        "letter_footer": "Confirmación de cita",
        "letter_title": "Su cita está confirmada",
        "dear": "Estimado(a) {name}:",  # the chart does not say the patient's sex
        "dear_female": "Estimada {name}:",
        "dear_male": "Estimado {name}:",
        "confirms": "Esta carta confirma su cita en {practice}. Por favor guárdela.",
        "when": "Cuándo",
        "with": "Con",
        "where": "Dónde",
        "visit": "Tipo de cita",
        "arrive": "Por favor llegue {minutes} minutos antes para llenar los formularios.",
        "bring_title": "Qué traer",
        "bring_pointer": "Su propia lista de qué traer está en la página “{title}”.",
        "bring_id": "Su identificación con foto y su tarjeta del seguro",
        "bring_medicines": "Una lista de todas las medicinas que toma, y cuánto toma de cada una",
        "bring_referral": "Su orden de referencia, si su seguro la pide",
        "bring_questions": "Una lista de sus preguntas",
        "interpreter": "Hemos reservado un intérprete para su cita",
        "reach_title": "Cómo comunicarse con nosotros",
        "reach_pointer": "Nuestros teléfonos están en su carta, en “{title}”.",
        "call": "Llámenos al {phones}.",
        "website": "Nuestro sitio web: {site}",
        "cannot_come": (
            "Si no puede venir, llámenos lo antes posible, para darle su cita a otra persona."
        ),
        "note": "Una nota de nuestra oficina",
        "personal_note": "Una nota para usted",
        "closing": "Esperamos verle pronto.",
        "team": "El equipo de {practice}",
        "personal_title": "Qué traer: su propia lista",
        "personal_intro": "Revisamos los documentos que tenemos de usted.",
        "please_bring": "Por favor traiga:",
        "every_visit": "Para cada cita, traiga:",
        "continued": "{label} (continuación):",
        "we_have": "Ya tenemos:",
        "nothing_missing": (
            "Tenemos todos los documentos que pedimos. Traiga solo lo que se indica abajo."
        ),
        "no_records": (
            "Todavía no tenemos estudios ni informes de otros médicos. Si los tiene, por favor "
            "tráigalos."
        ),
        "subject": "Paquete para antes de su cita",
        "title": "Su cita del {day}",
    },
}


# A language named in the letter's own words (the chart has it in English: "Spanish").
_LANGUAGE_NAMES_IN = {
    "en": {"en": "English", "es": "Spanish"},
    "es": {"en": "inglés", "es": "español"},
}


def language_in(chart_language: str, letter_language: str) -> str:
    """The chart's language as a reader of the letter calls it; unknown ones as written."""
    code = language_code(chart_language)
    names = _LANGUAGE_NAMES_IN.get(letter_language, _LANGUAGE_NAMES_IN["en"])
    return names.get(code, chart_language.strip())


def packet_words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])
