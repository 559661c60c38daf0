"""The people's mediation agreement (人民调解协议书), as the People's Mediation Law (Art. 29) has
it: the parties, the mediators, the facts, the matters in dispute and who bears what, each
obligation with how and by when, its effect, and the signatures. What it says is put together
once (``Sheet``) and written two ways: a page to print, and an A4 PDF to download. Every piece
of text people typed is escaped. Plain Python over the agreement as stored (its case, parties,
obligations and signatures); nothing here reads the database.
"""
import html
import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.mediation import domain
from shared.times import local_day

ROLE_NAMES = {"applicant": "申请人", "respondent": "被申请人", "other": "其他当事人"}
UNSIGNED_DAY = "年　月　日"  # left for the hand that signs on paper
# Adobe's Chinese font that every PDF reader carries: the PDF names it, nothing is embedded,
# and no font file is needed to write it.
PDF_FONT = "STSong-Light"


@dataclass(frozen=True)
class Signature:
    label: str  # 申请人, 被申请人 … or 人民调解员
    name: str  # who signed, or "" while unsigned
    day: str  # the Shanghai day they signed, or UNSIGNED_DAY


@dataclass(frozen=True)
class Sheet:
    """What the agreement says, in the words both of its forms print (user text not yet escaped)."""
    number: str
    parties: tuple[tuple[str, str, str], ...]  # (身份, 姓名, 户号)
    mediators: tuple[str, ...]
    facts: str
    responsibilities: str
    obligations: tuple[tuple[str, str], ...]  # (the party bound, what, how and by when)
    effect: str
    copies: int
    signatures: tuple[Signature, ...]
    committee: str


def sheet_of(agreement) -> Sheet:
    case = agreement.case
    names = {p.id: p.name for p in case.parties}
    signed = {s.party_id: s for s in agreement.signatures if s.party_id}
    mediator = next((s for s in agreement.signatures if s.mediator_code), None)

    def signature(label, signer):
        return Signature(label, signer.signer_name if signer else "",
                         _zh_date(local_day(signer.signed_at)) if signer else UNSIGNED_DAY)

    if agreement.effective_on:
        effect = (f"本协议自{_zh_date(agreement.effective_on)}起生效。当事人可以自本协议生效之日起三十日内"
                  f"(即{_zh_date(domain.judicial_confirmation_by(agreement.effective_on))}前)共同向人民法院申请司法确认。")
    else:
        effect = ("本协议自各方当事人签名、人民调解员签名并加盖调解委员会印章之日起生效。"
                  "当事人可以自协议生效之日起三十日内共同向人民法院申请司法确认。")
    return Sheet(
        number=case.number,
        parties=tuple((ROLE_NAMES.get(p.role, p.role), p.name, p.household or "") for p in case.parties),
        mediators=tuple(m["name"] for m in case.mediators or ()),
        facts=agreement.facts, responsibilities=agreement.responsibilities,
        obligations=tuple(
            (names.get(o.party_id, ""), f"{o.what};履行方式:{o.how};履行期限:{_zh_date(o.due_on)}前"
             + (f"(已于{_zh_date(o.performed_on)}履行)" if o.performed_on else ""))
            for o in agreement.obligations),
        effect=effect, copies=len(case.parties) + 1,
        signatures=tuple(signature(ROLE_NAMES.get(p.role, p.role), signed.get(p.id)) for p in case.parties)
        + (signature("人民调解员", mediator),),
        committee=f"{case.community.upper()} 社区人民调解委员会(印章)")


def render_agreement(agreement) -> str:
    """The page to print (A4 by its print stylesheet)."""
    sheet = sheet_of(agreement)
    e = html.escape
    parties = "".join(f"<tr><th>{e(role)}</th><td>{e(name)}</td><td>{e(household)}</td></tr>"
                      for role, name, household in sheet.parties)
    mediators = f"<p>人民调解员:{e('、'.join(sheet.mediators))}</p>" if sheet.mediators else ""
    obligations = "".join(f"<li><strong>{e(name)}</strong>:{e(terms)}</li>" for name, terms in sheet.obligations)
    signatures = "".join(f"<div class=\"sign\">{e(s.label)}(签名):<span>{e(s.name)}</span><small>{s.day}</small></div>"
                         for s in sheet.signatures)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>人民调解协议书 {e(sheet.number)}</title>
<style>
body {{ font-family: "SimSun", "Songti SC", serif; max-width: 720px; margin: 2em auto; line-height: 1.8; color: #000; }}
h1 {{ text-align: center; letter-spacing: 0.3em; font-size: 1.6em; }}
.number {{ text-align: right; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ border: 1px solid #000; padding: 0.3em 0.6em; text-align: left; }}
h2 {{ font-size: 1.1em; margin-top: 1.2em; }}
.sign {{ margin: 1.2em 0; }}
.sign span {{ display: inline-block; min-width: 10em; border-bottom: 1px solid #000; margin-right: 1em; }}
.seal {{ text-align: right; margin-top: 2em; }}
@media print {{ body {{ margin: 0 auto; }} .noprint {{ display: none; }} @page {{ size: A4; margin: 2cm; }} }}
</style>
</head>
<body>
<h1>人民调解协议书</h1>
<p class="number">编号:{e(sheet.number)}</p>
<h2>当事人</h2>
<table><tr><th>身份</th><th>姓名</th><th>户号</th></tr>{parties}</table>
{mediators}
<h2>纠纷主要事实</h2>
<p>{e(sheet.facts)}</p>
<h2>争议事项及责任</h2>
<p>{e(sheet.responsibilities)}</p>
<h2>经调解,自愿达成如下协议</h2>
<ol>{obligations}</ol>
<h2>履行与效力</h2>
<p>{sheet.effect}</p>
<p>本协议一式{sheet.copies}份,当事人各执一份,调解委员会留存一份。</p>
{signatures}
<p class="seal">{e(sheet.committee)}</p>
</body>
</html>
"""


def render_agreement_pdf(agreement) -> bytes:
    """The same agreement as an A4 PDF, set in STSong-Light, every page numbered under its case number."""
    sheet = sheet_of(agreement)
    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))  # reportlab's own registry: registering again is a no-op
    text = ParagraphStyle("text", fontName=PDF_FONT, fontSize=11.5, leading=20, wordWrap="CJK")
    title = ParagraphStyle("title", text, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=6)
    heading = ParagraphStyle("heading", text, fontSize=13, leading=22, spaceBefore=10, spaceAfter=2)
    right = ParagraphStyle("right", text, alignment=TA_RIGHT)

    def p(words: str, style=text) -> Paragraph:
        return Paragraph(html.escape(words), style)

    width = A4[0] - 4 * cm
    parties = Table([[p("身份"), p("姓名"), p("户号")], *[[p(cell) for cell in row] for row in sheet.parties]],
                    colWidths=(0.22 * width, 0.39 * width, 0.39 * width))
    parties.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.75, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    signatures = Table([[p(f"{s.label}(签名):"), p(s.name), p(s.day, right)] for s in sheet.signatures],
                       colWidths=(0.3 * width, 0.4 * width, 0.3 * width), rowHeights=1.4 * cm)
    signatures.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, -1), 0.75, "black"),
                                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story = [p("人民调解协议书", title), p(f"编号:{sheet.number}", right),
             p("当事人", heading), parties]
    if sheet.mediators:
        story += [Spacer(0, 6), p(f"人民调解员:{'、'.join(sheet.mediators)}")]
    story += [p("纠纷主要事实", heading), p(sheet.facts),
              p("争议事项及责任", heading), p(sheet.responsibilities),
              p("经调解,自愿达成如下协议", heading),
              *[p(f"{n}. {name}:{terms}") for n, (name, terms) in enumerate(sheet.obligations, start=1)],
              p("履行与效力", heading), p(sheet.effect),
              p(f"本协议一式{sheet.copies}份,当事人各执一份,调解委员会留存一份。"),
              KeepTogether([Spacer(0, 12), signatures, Spacer(0, 24), p(sheet.committee, right)])]

    def page_number(canvas, document):
        canvas.setFont(PDF_FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, f"编号 {sheet.number}　第 {document.page} 页")

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                      bottomMargin=2 * cm, title=f"人民调解协议书 {sheet.number}").build(
        story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def _zh_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
