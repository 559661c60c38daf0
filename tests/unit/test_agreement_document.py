"""The people's mediation agreement (调解协议书) on its own, as a page to print and as an A4 PDF:
stand-ins for the stored agreement, its case, parties, obligations and signatures, rendered
without a database."""
import io
from datetime import date, datetime, timezone
from types import SimpleNamespace

from pypdf import PdfReader

from services.mediation.agreement import render_agreement, render_agreement_pdf

APPLICANT = SimpleNamespace(id="p1", role="applicant", name="杜慧", household="ytl-44-1-01")
RESPONDENT = SimpleNamespace(id="p2", role="respondent", name="夏磊 <b>", household=None)
CASE = SimpleNamespace(number="YTL-2026-0007", community="ytl", parties=[APPLICANT, RESPONDENT],
                       mediators=[{"code": "ytl-med-01", "name": "李德华"}, {"code": "ytl-med-02", "name": "周桂芳"}])
REPAIR = SimpleNamespace(party_id="p2", what="修复漏水的水管", how="自行请人维修", due_on=date(2026, 12, 10),
                         performed_on=None)


def agreement(signatures=(), effective_on=None, obligations=(REPAIR,)):
    return SimpleNamespace(case=CASE, facts="楼上漏水 & 墙面受损", responsibilities="由被申请人负责维修",
                           obligations=list(obligations), signatures=list(signatures), effective_on=effective_on)


def signature(party_id, name, at, mediator_code=None):
    return SimpleNamespace(party_id=party_id, mediator_code=mediator_code, signer_name=name, signed_at=at)


def test_a_draft_names_the_parties_and_obligations_and_leaves_every_signature_blank():
    page = render_agreement(agreement())
    assert "<title>人民调解协议书 YTL-2026-0007</title>" in page and "编号:YTL-2026-0007" in page
    assert "<tr><th>申请人</th><td>杜慧</td><td>ytl-44-1-01</td></tr>" in page
    assert "<tr><th>被申请人</th><td>夏磊 &lt;b&gt;</td><td></td></tr>" in page
    assert "<p>人民调解员:李德华、周桂芳</p>" in page
    assert "修复漏水的水管;履行方式:自行请人维修;履行期限:2026年12月10日前</li>" in page
    assert page.count("年　月　日") == 3  # two parties and the mediator, none signed yet
    assert "自各方当事人签名、人民调解员签名并加盖调解委员会印章之日起生效" in page
    assert "一式3份" in page  # one for each party and one kept by the committee
    assert "YTL 社区人民调解委员会(印章)" in page


def test_what_people_typed_is_escaped():
    page = render_agreement(agreement())
    assert "楼上漏水 &amp; 墙面受损" in page
    assert "夏磊 <b>" not in page


def test_a_signed_agreement_shows_who_signed_on_which_day_and_the_judicial_confirmation_deadline():
    # 17:30 UTC on 30 November is 1 December in Shanghai: the day written is the local one.
    evening = datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc)
    signed = [signature("p1", "杜慧", evening), signature("p2", "夏磊", evening),
              signature(None, "李德华", evening, mediator_code="ytl-med-01")]
    performed = SimpleNamespace(**{**vars(REPAIR), "performed_on": date(2026, 12, 5)})
    page = render_agreement(agreement(signed, effective_on=date(2026, 12, 1), obligations=[performed]))
    assert "申请人(签名):<span>杜慧</span><small>2026年12月1日</small>" in page
    assert "人民调解员(签名):<span>李德华</span><small>2026年12月1日</small>" in page
    assert "年　月　日" not in page
    # Art. 33: thirty days from the day it took effect to ask a court to confirm it together.
    assert "本协议自2026年12月1日起生效" in page and "(即2026年12月31日前)共同向人民法院申请司法确认" in page
    assert "履行期限:2026年12月10日前(已于2026年12月5日履行)</li>" in page


# --- the PDF ------------------------------------------------------------------------------------
EVENING = datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc)  # 1 December in Shanghai


def pdf_text(document: bytes) -> tuple[PdfReader, str]:
    """The PDF and its text without any white space (the lines and cells it is set in)."""
    reader = PdfReader(io.BytesIO(document))
    return reader, "".join("".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_is_one_a4_sheet_saying_what_the_page_says():
    reader, text = pdf_text(render_agreement_pdf(agreement()))
    assert reader.pdf_header.startswith("%PDF")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert reader.metadata.title == "人民调解协议书 YTL-2026-0007"
    for words in ("人民调解协议书", "编号:YTL-2026-0007", "申请人", "杜慧", "ytl-44-1-01", "被申请人", "夏磊<b>",
                  "人民调解员:李德华、周桂芳", "楼上漏水&墙面受损", "由被申请人负责维修",
                  "1.夏磊<b>:修复漏水的水管;履行方式:自行请人维修;履行期限:2026年12月10日前",
                  "一式3份", "YTL社区人民调解委员会(印章)", "第1页"):
        assert words in text, words
    # a signature line for each party and the mediator, none signed yet
    assert text.count("(签名):") == 3 and text.count("年月日") == 3


def test_the_signed_pdf_names_who_signed_on_their_shanghai_day():
    signed = [signature("p1", "杜慧", EVENING), signature("p2", "夏磊", EVENING),
              signature(None, "李德华", EVENING, mediator_code="ytl-med-01")]
    _reader, text = pdf_text(render_agreement_pdf(agreement(signed, effective_on=date(2026, 12, 1))))
    assert "申请人(签名):杜慧2026年12月1日" in text and "人民调解员(签名):李德华2026年12月1日" in text
    assert "年月日" not in text
    assert "本协议自2026年12月1日起生效" in text and "2026年12月31日前" in text


def test_a_long_agreement_runs_onto_numbered_pages():
    many = [SimpleNamespace(**{**vars(REPAIR), "what": f"第{n}项:" + "修复" * 80}) for n in range(30)]
    reader, text = pdf_text(render_agreement_pdf(agreement(obligations=many)))
    assert len(reader.pages) > 1 and f"第{len(reader.pages)}页" in text
    assert "30.夏磊<b>:第29项" in text
