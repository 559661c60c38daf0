"""The printable people's mediation agreement (人民调解协议书), as the People's Mediation Law
(Art. 29) has it: the parties, the facts, the matters in dispute and who bears what, each
obligation with how and by when, its effect, and the signatures. Every piece of text people
typed is escaped. Plain Python over the agreement as stored (its case, parties, obligations and
signatures); nothing here reads the database.
"""
import html
from datetime import date

from services.mediation import domain
from shared.times import local_day

ROLE_NAMES = {"applicant": "申请人", "respondent": "被申请人", "other": "其他当事人"}


def render_agreement(agreement) -> str:
    case = agreement.case
    e = html.escape
    names = {p.id: p.name for p in case.parties}
    signed = {s.party_id: s for s in agreement.signatures if s.party_id}
    mediator = next((s for s in agreement.signatures if s.mediator_code), None)
    parties = "".join(
        f"<tr><th>{e(ROLE_NAMES.get(p.role, p.role))}</th><td>{e(p.name)}</td>"
        f"<td>{e(p.household or '')}</td></tr>" for p in case.parties)
    obligations = "".join(
        f"<li><strong>{e(names.get(o.party_id, ''))}</strong>:{e(o.what)};履行方式:{e(o.how)};"
        f"履行期限:{_zh_date(o.due_on)}前" + (f"(已于{_zh_date(o.performed_on)}履行)" if o.performed_on else "")
        + "</li>" for o in agreement.obligations)
    signatures = "".join(
        f"<div class=\"sign\">{e(ROLE_NAMES.get(p.role, p.role))}(签名):"
        f"<span>{e(signed[p.id].signer_name) if p.id in signed else ''}</span>"
        f"<small>{_zh_date(local_day(signed[p.id].signed_at)) if p.id in signed else '年　月　日'}</small></div>"
        for p in case.parties)
    signatures += (f"<div class=\"sign\">人民调解员(签名):<span>{e(mediator.signer_name) if mediator else ''}</span>"
                   f"<small>{_zh_date(local_day(mediator.signed_at)) if mediator else '年　月　日'}</small></div>")
    if agreement.effective_on:
        effect = (f"本协议自{_zh_date(agreement.effective_on)}起生效。当事人可以自本协议生效之日起三十日内"
                  f"(即{_zh_date(domain.judicial_confirmation_by(agreement.effective_on))}前)共同向人民法院申请司法确认。")
    else:
        effect = ("本协议自各方当事人签名、人民调解员签名并加盖调解委员会印章之日起生效。"
                  "当事人可以自协议生效之日起三十日内共同向人民法院申请司法确认。")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>人民调解协议书 {e(case.number)}</title>
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
<p class="number">编号:{e(case.number)}</p>
<h2>当事人</h2>
<table><tr><th>身份</th><th>姓名</th><th>户号</th></tr>{parties}</table>
<h2>纠纷主要事实</h2>
<p>{e(agreement.facts)}</p>
<h2>争议事项及责任</h2>
<p>{e(agreement.responsibilities)}</p>
<h2>经调解,自愿达成如下协议</h2>
<ol>{obligations}</ol>
<h2>履行与效力</h2>
<p>{effect}</p>
<p>本协议一式{len(case.parties) + 1}份,当事人各执一份,调解委员会留存一份。</p>
{signatures}
<p class="seal">{e(case.community.upper())} 社区人民调解委员会(印章)</p>
</body>
</html>
"""


def _zh_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
