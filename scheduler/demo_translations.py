"""The demo's own texts in bokmål and Swedish (names, descriptions, intros, questions).

The demo writes its content in English; :func:`translate_demo` then stores these texts
as each object's translations, so the demo shows every library, topic and drop-in in
the page's language.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.models import (
    DropInSession,
    GroupQuestion,
    Library,
    SessionSeries,
    Topic,
    TopicGroup,
)

# English → (bokmål, Swedish)
TEXTS: dict[str, tuple[str, str]] = {
    # Libraries
    "University Library, Main Building": (
        "Universitetsbiblioteket, hovedbygningen",
        "Universitetsbiblioteket, huvudbyggnaden",
    ),
    "Health Sciences Library": ("Helsebiblioteket", "Medicinska biblioteket"),
    "Law Library": ("Juridisk bibliotek", "Juridiska biblioteket"),
    "Science and Technology Library": (
        "Realfag- og teknologibiblioteket",
        "Biblioteket för naturvetenskap och teknik",
    ),
    "Humanities and Arts Library": (
        "Humanistisk og kunstfaglig bibliotek",
        "Biblioteket för humaniora och konst",
    ),
    # Topic groups
    "Health sciences": ("Helsefag", "Hälsovetenskap"),
    "Law": ("Juss", "Juridik"),
    "Science and technology": ("Realfag og teknologi", "Naturvetenskap och teknik"),
    "Humanities and social sciences": (
        "Humaniora og samfunnsfag",
        "Humaniora och samhällsvetenskap",
    ),
    "Research support": ("Forskningsstøtte", "Forskningsstöd"),
    # Topics
    "Nursing": ("Sykepleie", "Omvårdnad"),
    "Medicine": ("Medisin", "Medicin"),
    "Public health": ("Folkehelse", "Folkhälsa"),
    "Systematic reviews": ("Systematiske oversikter", "Systematiska översikter"),
    "Physiotherapy": ("Fysioterapi", "Fysioterapi"),
    "Legal sources and Lovdata": ("Rettskilder og Lovdata", "Rättskällor och Lovdata"),
    "EU and international law": ("EU-rett og folkerett", "EU-rätt och internationell rätt"),
    "Computer science": ("Informatikk", "Datavetenskap"),
    "Engineering": ("Ingeniørfag", "Ingenjörsvetenskap"),
    "Mathematics": ("Matematikk", "Matematik"),
    "Chemistry": ("Kjemi", "Kemi"),
    "Biology": ("Biologi", "Biologi"),
    "History": ("Historie", "Historia"),
    "Literature": ("Litteratur", "Litteratur"),
    "Philosophy": ("Filosofi", "Filosofi"),
    "Psychology": ("Psykologi", "Psykologi"),
    "Economics": ("Økonomi", "Ekonomi"),
    "Education": ("Pedagogikk", "Pedagogik"),
    "Reference management (EndNote, Zotero)": (
        "Referansehåndtering (EndNote, Zotero)",
        "Referenshantering (EndNote, Zotero)",
    ),
    "Systematic searching": ("Systematisk søk", "Systematisk sökning"),
    "Open access publishing": ("Åpen publisering", "Öppen publicering"),
    "Research data management": ("Forvaltning av forskningsdata", "Hantering av forskningsdata"),
    "Writing your thesis": ("Skrive oppgave", "Skriva uppsats"),
    "Copyright and reuse": ("Opphavsrett og gjenbruk", "Upphovsrätt och återanvändning"),
    # Questions
    "Which degree or project is this for?": (
        "Hvilket studieprogram eller prosjekt gjelder det?",
        "Vilken utbildning eller vilket projekt gäller det?",
    ),
    "Which reference tool do you use, if any?": (
        "Hvilket referanseverktøy bruker du, om noe?",
        "Vilket referensverktyg använder du, om något?",
    ),
    "Which topics or problems would you like us to cover?": (
        "Hvilke temaer eller problemer vil du at vi tar opp?",
        "Vilka ämnen eller problem vill du att vi tar upp?",
    ),
    "Will you join us for lunch? Any dietary needs?": (
        "Blir du med på lunsj? Har du behov for spesialkost?",
        "Följer du med på lunch? Har du några önskemål om specialkost?",
    ),
    # Drop-ins
    "Zotero drop-in": ("Zotero drop-in", "Zotero drop-in"),
    "Systematic searching clinic": ("Verksted i systematisk søk", "Verkstad i systematisk sökning"),
    "Thesis writing café": ("Skrivekafé for oppgaveskrivere", "Uppsatsskrivarkafé"),
    "Lovdata for beginners": ("Lovdata for nybegynnere", "Lovdata för nybörjare"),
    "Get started with EndNote": ("Kom i gang med EndNote", "Kom igång med EndNote"),
    "Open science day": ("Åpen forskning-dagen", "Dag för öppen vetenskap"),
    "A short online course in three evening sessions.": (
        "Et kort nettkurs over tre kvelder.",
        "En kort webbkurs på tre kvällar.",
    ),
    "Talks on open access and research data, followed by lunch.": (
        "Foredrag om åpen tilgang og forskningsdata, etterfulgt av lunsj.",
        "Föredrag om öppen tillgång och forskningsdata, följt av lunch.",
    ),
}

# Texts the demo makes from others: (pattern, bokmål, Swedish); {0} is the translated part.
PATTERNS: list[tuple[str, str, str]] = [
    (
        r"Book a subject librarian for (.+)\.",
        "Bestill en fagbibliotekar i {0}.",
        "Boka en ämnesbibliotekarie i {0}.",
    ),
    (
        r"Bring your questions about (.+)\.",
        "Ta med spørsmålene dine om {0}.",
        "Ta med dina frågor om {0}.",
    ),
    (
        r"Get started with EndNote \((\d/\d)\)",
        "Kom i gang med EndNote ({0})",
        "Kom igång med EndNote ({0})",
    ),
]


def _lookup(text: str, index: int) -> str | None:
    if text in TEXTS:
        return TEXTS[text][index]
    for pattern, *templates in PATTERNS:
        match = re.fullmatch(pattern, text)
        if match:
            part = match.group(1)
            lowered = {k.lower(): v for k, v in TEXTS.items()}
            inner = lowered[part][index].lower() if part in lowered else part
            return templates[index].format(inner)
    return None


def translate_demo(session: Session) -> None:
    """Give every demo library, topic, group, question and drop-in its nb and sv texts."""
    for model in (Library, TopicGroup, Topic, GroupQuestion, SessionSeries, DropInSession):
        for obj in session.scalars(select(model)):
            translations: dict[str, dict[str, str]] = {}
            for field in model.TRANSLATABLE:
                text = getattr(obj, field)
                if not text:
                    continue
                for index, lang in enumerate(("nb", "sv")):
                    translated = _lookup(text, index)
                    if translated:
                        translations.setdefault(lang, {})[field] = translated
            if translations:
                obj.translations = translations
    session.flush()
