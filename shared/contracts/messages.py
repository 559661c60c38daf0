"""What people read: every message code in Chinese first, with English.

Services raise errors with a code and params; the gateway renders them in the
caller's language (Accept-Language: zh by default, en on request).
"""
MESSAGES: dict[str, tuple[str, str]] = {
    # input
    "invalid_input": ("提交的内容有误,请按提示修改。", "The request has errors; see each field."),
    "required": ("此项必填。", "This field is required."),
    "invalid_value": ("此项的值无效。", "This value is not valid."),
    "wrong_type": ("此项应为{expected}。", "This field must be {expected}."),
    "date_out_of_range": ("日期应在 1970 年至 2100 年之间。", "The date must lie between 1970 and 2100."),
    "number_out_of_range": ("数值应在 {min} 至 {max} 之间。", "The number must lie between {min} and {max}."),
    "invalid_text": ("此项含有不允许的字符(NUL 或不成对的代理项)。",
                     "This text holds characters that are not allowed (NUL or a lone surrogate)."),
    "too_deeply_nested": ("请求体嵌套过深(最多 {max} 层)。", "The body is nested too deeply (at most {max} levels)."),
    "uri_too_long": ("请求地址过长。", "The request's address is too long."),
    "headers_too_large": ("请求头过大。", "The request's headers are too large."),
    "too_long": ("长度不能超过 {max} 个字符。", "Must be at most {max} characters."),
    "unknown_field": ("不认识的字段。", "Unknown field."),
    "unknown_category": ("没有编码为“{value}”的问题类别。", "There is no category with code '{value}'."),
    "unknown_grid": ("本社区没有网格“{value}”。", "This community has no grid '{value}'."),
    "unknown_building": ("本社区没有楼栋“{value}”。", "This community has no building '{value}'."),
    "unknown_unit": ("该楼栋没有单元“{value}”。", "That building has no unit '{value}'."),
    "location_required": (
        "请给出位置:网格、楼栋(可加单元)或地址。",
        "Give a location: a grid, a building (and unit) or an address.",
    ),
    "too_many_photos": ("最多 {max} 张照片。", "At most {max} photos."),
    "invalid_photo": ("照片须为 http(s) 链接或本平台上传后得到的链接。", "A photo must be an http(s) URL or a link returned by an upload here."),
    "invalid_attribute": ("类别属性“{value}”无效。", "Category attribute '{value}' is not valid."),
    "missing_attribute": ("此类别必须填写属性“{value}”。", "This category requires attribute '{value}'."),
    "period_backwards": ("结束时间须晚于开始时间。", "The end of the period must come after its start."),
    "reason_required": ("请说明理由。", "Give a reason."),
    "invalid_rating": ("评价只能是:满意、基本满意、不满意。", "Rating must be satisfied, basically_satisfied or unsatisfied."),
    # uploads and requests
    "payload_too_large": ("请求过大(上限 {max})。", "The request is too large (limit {max})."),
    "unsupported_media_type": ("只接受 JPEG、PNG 或 WebP 图片。", "Only JPEG, PNG or WebP images are accepted."),
    "photo_too_large": ("单张照片不能超过 {max}。", "A photo may be at most {max}."),
    "not_json": ("请求正文须为 JSON 对象。", "The request body must be a JSON object."),
    # who may do what
    "unauthorized": ("请先登录(缺少或无效的访问令牌)。", "Sign in first (missing or invalid access token)."),
    "bad_credentials": ("用户名或密码不正确。", "Wrong username or password."),
    "forbidden_role": ("您的角色({role})不能进行此操作。", "Your role ({role}) may not do this."),
    "out_of_scope": ("此事项不在您的管辖范围内。", "This is outside your scope."),
    "not_your_task": ("此任务派给了其他处置人,您不能操作。", "This task is assigned to someone else."),
    "not_grid_worker": ("只有本网格的网格员可以核查。", "Only this grid's grid worker may verify."),
    "not_reporter": ("只有报告人可以评价。", "Only the reporter may rate."),
    "token_expired": (
        "访问令牌已过期,请用刷新令牌换取新的访问令牌,或重新登录。",
        "The access token has expired; use your refresh token to get a new one, or sign in again.",
    ),
    "token_revoked": ("此次登录已退出或已被注销,请重新登录。", "This sign-in has been signed out or revoked; sign in again."),
    "refresh_invalid": ("刷新令牌无效或已过期,请重新登录。", "The refresh token is not valid or has expired; sign in again."),
    "refresh_reused": (
        "此刷新令牌已使用过,可能已被他人获取;为安全起见,本次登录的全部令牌均已作废,请重新登录。",
        "This refresh token was already used and may have been copied; for safety every token of this sign-in "
        "has been revoked. Sign in again.",
    ),
    "account_locked": (
        "账号“{username}”因连续 {count} 次密码错误已被锁定,请于 {until}(北京时间)之后再试。",
        "Account '{username}' is locked after {count} wrong passwords in a row; try again after {until} "
        "(Asia/Shanghai time).",
    ),
    "too_many_attempts": (
        "此网络地址的登录尝试过于频繁,请于 {until}(北京时间)之后再试。",
        "Too many sign-in attempts from this address; try again after {until} (Asia/Shanghai time).",
    ),
    # retried requests (Idempotency-Key)
    "idempotency_key_invalid": (
        "请求头 Idempotency-Key 须为 1 至 {max} 个可见 ASCII 字符。",
        "The Idempotency-Key header must be 1 to {max} visible ASCII characters.",
    ),
    "idempotency_key_reused": (
        "此 Idempotency-Key 已用于内容不同的请求;新的请求请使用新的 Idempotency-Key。",
        "This Idempotency-Key was already used for a request with a different body; use a new key for a new request.",
    ),
    "idempotency_in_flight": (
        "使用同一 Idempotency-Key 的请求仍在处理中,请稍后重试。",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    ),
    # state
    "report_not_found": ("找不到案卷“{id}”。", "No report '{id}'."),
    "task_not_found": ("找不到任务“{id}”。", "No task '{id}'."),
    "media_not_found": ("找不到图片“{id}”。", "No photo '{id}'."),
    "task_state": ("任务当前为“{status}”,不能{action}。", "The task is '{status}'; it cannot be {action}."),
    "report_state": ("案卷当前为“{status}”,不能{action}。", "The report is '{status}'; it cannot be {action}."),
    "top_level": ("已在最高一级(街道),无法继续上报。", "Already at the top level (the street); it cannot climb further."),
    "extension_used": ("每个任务最多延期 {max} 次。", "A task can be extended at most {max} time(s)."),
    "not_later": ("新的期限须晚于当前期限({deadline})。", "The new deadline must be later than the current one ({deadline})."),
    "request_pending": ("该任务已有待审批的申请。", "This task already has a request waiting for a decision."),
    "request_not_found": ("找不到申请“{id}”。", "No request '{id}'."),
    "request_decided": ("该申请已处理(“{status}”)。", "This request was already decided ('{status}')."),
    "no_handler": ("找不到可派遣的处置人,请联系社区管理员。", "No handler can be found; contact the community admin."),
    # civility points (积分) and the reward fund
    "already_reversed": ("记录“{id}”已被冲正过。", "Entry '{id}' has already been reversed."),
    "amount_below_fen": ("{what}须精确到分(收到 {value})。", "{what} must be in whole fen (got {value})."),
    "cap_reached": ("本期“{rule}”已达上限 {cap} 分。", "Rule '{rule}' has reached its cap of {cap} points this period."),
    "deduction_unverified": ("扣分规则“{rule}”必须经过核实。", "Deduction rule '{rule}' must require verification."),
    "duplicate_household": ("住户“{household}”重复。", "Household '{household}' is listed twice."),
    "entry_state": ("积分记录当前为“{status}”,不能{action}。", "The entry is '{status}'; it cannot be {action}."),
    "evidence_required": ("规则“{rule}”要求提供证据。", "Rule '{rule}' requires evidence."),
    "fund_below_base": ("基金 {fund} 元不足以支付基本部分 {bases} 元。", "The fund ({fund}) cannot cover the base amounts ({bases})."),
    "invalid_amount": ("{what}金额无效:{value}。", "{what} is not a valid amount: {value}."),
    "invalid_cap": ("规则“{rule}”的上限无效。", "Rule '{rule}' has an invalid cap."),
    "invalid_count": ("“{staff}”的统计数不能为负。", "Counts for '{staff}' cannot be negative."),
    "invalid_threshold": ("门槛分无效:{value}。", "Invalid threshold: {value}."),
    "invalid_version": ("规则“{rule}”的版本号 {version} 无效。", "Rule '{rule}' has an invalid version {version}."),
    "invalid_window": ("公示期须为正。", "The publication window must be positive."),
    "no_households": ("没有可结算的住户。", "There are no households to settle."),
    "no_rule_in_force": ("{day} 没有生效的规则“{rule}”。", "No version of rule '{rule}' is in force on {day}."),
    "objection_window_closed": ("公示期已于 {ends} 结束,不能再提异议。", "The publication window closed at {ends}."),
    "rule_not_in_force": ("规则“{rule}”第 {version} 版在 {day} 不生效。", "Rule '{rule}' version {version} is not in force on {day}."),
    "rule_scores_petitioning": ("规则“{rule}”涉及信访,不得计分。", "Rule '{rule}' would score petitioning (信访), which is not allowed."),
    "rule_without_points": ("规则“{rule}”没有分值。", "Rule '{rule}' carries no points."),
    "unknown_area": ("未知的积分类别“{value}”。", "Unknown area '{value}'."),
    "unknown_evidence_kind": ("未知的证据类型“{value}”。", "Unknown kind of evidence '{value}'."),
    "unknown_household": ("没有住户“{household}”。", "No household '{household}'."),
    "unknown_rule": ("没有规则“{rule}”第 {version} 版。", "No rule '{rule}' version {version}."),
    "verification_required": ("该记录须先经评议小组核实。", "This entry must be verified by the review group first."),
    "verifier_is_proposer": ("提出人不能核实自己提出的记录。", "The proposer cannot verify their own entry."),
    "version_not_newer": ("规则“{rule}”的新版本须晚于现有版本。", "The new version of rule '{rule}' must come after the existing ones."),
    "version_overlaps": ("规则“{rule}”自 {day} 起的版本与现有版本重叠。", "Rule '{rule}' from {day} overlaps an existing version."),
    "window_open": ("公示期至 {ends} 才结束。", "The publication window is open until {ends}."),
    "entries_pending": (
        "本期还有 {count} 条积分记录未走完核实、公示或异议评议,暂不能结算。",
        "{count} entries of this period are still being verified, published or decided; it cannot be settled yet.",
    ),
    "entry_not_found": ("找不到积分记录“{id}”。", "No ledger entry '{id}'."),
    "household_not_found": ("找不到您所在的住户。", "No household is linked to your account."),
    "not_a_deduction": ("规则“{rule}”不是扣分规则。", "Rule '{rule}' is not a deduction."),
    "not_your_household": ("只有该户的家庭成员可以提出异议。", "Only a member of the household may object."),
    "period_exists": ("基金期“{period}”已存在。", "Fund period '{period}' already exists."),
    "period_not_found": ("找不到基金期“{period}”。", "No fund period '{period}'."),
    "period_overlaps": ("与基金期“{period}”的日期重叠。", "The dates overlap fund period '{period}'."),
    "period_settled": ("基金期“{period}”已结算,不能再更改。", "Fund period '{period}' is settled and closed."),
    "period_not_ended": ("基金期“{period}”到 {ends_on} 才结束,结束后才能结算。",
                         "Fund period '{period}' runs until {ends_on}; it can be settled once it has ended."),
    "rule_version_in_use": (
        "规则“{rule}”第 {version} 版已有积分记录,不能修改;请发布新版本。",
        "Rule '{rule}' version {version} has entries and cannot change; adopt a new version.",
    ),
    "whole_fen": ("金额须精确到分(最多两位小数)。", "Amounts must be in whole fen (at most two decimals)."),
    # the mediation desk (六站): cases, mediation, agreements, council
    "case_not_found": ("找不到案件“{id}”。", "No case '{id}'."),
    "agreement_not_found": ("找不到调解协议“{id}”。", "No mediation agreement '{id}'."),
    "obligation_not_found": ("找不到协议义务“{id}”。", "No obligation '{id}' in this agreement."),
    "item_not_found": ("找不到议题“{id}”。", "No agenda item '{id}'."),
    "meeting_not_found": ("找不到议事会议“{id}”。", "No council meeting '{id}'."),
    "case_state": ("案件当前为“{status}”,不能{action}。", "The case is '{status}'; it cannot be {action}."),
    "mediation_state": ("调解当前为“{state}”,不能{action}。", "The mediation is '{state}'; it cannot be {action}."),
    "not_your_station": (
        "此案件目前在{case_station},只有该站工作人员可以办理(您属于{station})。",
        "This case is at the {case_station} station; only its staff may act on it (you are at {station}).",
    ),
    "station_work": (
        "这是{stations}的工作,您属于{station}。",
        "This is the work of the {stations} station; you are at {station}.",
    ),
    "not_a_party": ("“{party}”不是本案(本协议)的当事人。", "'{party}' is not a party to this case (agreement)."),
    "not_a_mediator": ("只有本案的调解员可以作为调解员签字。", "Only a mediator appointed to this case may sign as mediator."),
    "unknown_mediator": ("“{code}”不是本社区争议调解站的调解员。", "'{code}' is not a mediator of this community's mediation station."),
    "mediators_required": ("请先指定调解员。", "Appoint the mediators first."),
    "rights_notice_first": ("调解前须先告知当事人权利义务。", "Tell the parties their rights and duties before a session."),
    "session_first": ("须先召开调解会,再订立调解协议。", "Hold a mediation session before drafting the agreement."),
    "obligations_required": ("调解协议须写明各方履行的义务。", "A mediation agreement must list the obligations to perform."),
    "routes_required": (
        "调解不成的,须告知当事人可通过仲裁、行政、司法等途径解决。",
        "When mediation fails, tell the parties their routes (arbitration, administrative, court).",
    ),
    "extension_needs_every_party": (
        "延长调解期限须经各方当事人同意,尚未同意:{missing}。",
        "Extending the mediation needs every party's consent; not yet: {missing}.",
    ),
    "mediation_under_way": ("调解已开始,不能退回分流。", "Mediation is under way; the case cannot go back to triage."),
    "consent_recorded": ("该当事人是否同意调解已登记。", "This party's answer on mediation is already recorded."),
    "already_signed": ("已经签过字。", "This signature is already recorded."),
    "agreement_effective": ("协议已生效,不能再更改。", "The agreement is in effect and cannot change."),
    "agreement_not_effective": ("协议尚未生效(各方当事人和调解员签字后生效)。",
                                "The agreement is not in effect yet (every party and a mediator must sign)."),
    "agreement_exists": ("本案已有调解协议。", "This case already has a mediation agreement."),
    "already_performed": ("该义务已登记履行。", "This obligation is already recorded as performed."),
    "already_decided": ("该议题已作出决定。", "This agenda item has already been decided."),
    "not_on_agenda": ("该议题不在本次会议的议程中。", "This item is not on that meeting's agenda."),
    "invalid_votes": ("票数不能为负。", "Votes cannot be negative."),
    "no_votes": ("没有投票,不能作出决定。", "No votes were cast; nothing can be decided."),
    "votes_exceed_attendance": ("投票数 {cast} 超过到会人数 {attendance}。", "{cast} votes exceed the attendance of {attendance}."),
    "invalid_route": ("无法分流到“{value}”。", "Cannot route to '{value}'."),
    "body_required": ("转出时须写明接收机关。", "Name the body the case is referred to."),
    "category_required": ("转回派遣时须写明问题类别。", "Give the category of the task it is handed back as."),
    "visitor_required": ("请写明来访人姓名。", "Give the visitor's name."),
    "one_signer": ("请写明当事人(party_id)或以调解员身份签字(as_mediator),二者选一。",
                   "Give either a party (party_id) or as_mediator, not both."),
    "decision_date_required": ("登记法院裁定时须写明裁定日期。", "Give the date of the court's decision."),
    "unknown_station": ("未知的站点“{value}”。", "Unknown station '{value}'."),
    # operations
    "service_unavailable": ("{service} 服务暂时不可用,请稍后重试。", "The {service} service is unavailable; try again shortly."),
    "timeout": ("{service} 服务响应超时,请稍后重试。", "The {service} service timed out; try again shortly."),
    "circuit_open": ("{service} 服务暂时不可用(已暂停调用),请稍后重试。",
                     "The {service} service is down; calls to it are paused, try again shortly."),
    "service_busy": ("{service} 服务繁忙,请稍后重试。", "The {service} service is busy; try again shortly."),
    "internal_error": ("服务器内部错误,已记录。", "Internal server error; it has been logged."),
    "queue_not_found": ("没有名为“{queue}”的事件队列。", "No event queue '{queue}'."),
    "rate_limited": ("请求过于频繁,请 {seconds} 秒后再试。", "Too many requests; try again in {seconds} s."),
    "route_not_found": ("没有这个接口。", "No such endpoint."),
    "method_not_allowed": ("此接口不支持该请求方法。", "This endpoint does not accept that method."),
}

LANGUAGES = ("zh", "en")

# Words that fill the blanks of messages (states and actions), so they read in the caller's language too.
TERMS: dict[str, tuple[str, str]] = {
    "submitted": ("已上报", "submitted"), "assigned": ("已派遣", "assigned"), "accepted": ("已签收", "accepted"),
    "returned": ("已退单", "returned"), "resolved": ("已处置", "resolved"), "rework": ("返工中", "in rework"),
    "closed": ("已结案", "closed"), "reopened": ("重办中", "reopened"), "escalated": ("已上报上级", "escalated"),
    "pending": ("待审批", "pending"), "approved": ("已批准", "approved"), "denied": ("已驳回", "denied"),
    "accept": ("签收", "accepted"), "resolve": ("处置", "resolved"), "return": ("退单", "returned"),
    "escalate": ("上报", "escalated"), "verify": ("核查", "verified"), "rate": ("评价", "rated"),
    "extension": ("申请延期", "extended"), "deferral": ("申请挂账", "deferred"), "resume": ("恢复办理", "resumed"),
    # ledger entries (积分记录): their states and what is done to them
    "proposed": ("已提出", "proposed"), "verified": ("已核实", "verified"),
    "rejected": ("核实未通过", "rejected"), "published": ("公示中", "published"), "objected": ("有异议", "objected to"),
    "upheld": ("维持", "upheld"), "withdrawn": ("已撤销", "withdrawn"), "effective": ("已生效", "effective"),
    "reject": ("驳回", "rejected"), "publish": ("公示", "published"), "object": ("提出异议", "objected to"),
    "uphold": ("维持", "upheld"), "withdraw": ("撤销", "withdrawn"), "take_effect": ("生效", "made effective"),
    "reverse": ("冲正", "reversed"),
    # mediation cases and what is done to them
    "registered": ("待分流", "registered"), "in_progress": ("办理中", "in progress"),
    "awaiting_consent": ("待当事人同意", "awaiting consent"), "mediating": ("调解中", "mediating"),
    "agreed": ("已达成协议", "agreed"), "refused": ("当事人拒绝调解", "refused"), "failed": ("调解不成", "failed"),
    "route": ("分流", "routed"), "send_back": ("退回分流", "sent back"), "consent": ("登记同意", "consented to"),
    "add_party": ("增加当事人", "given a party"), "appoint": ("指定调解员", "given mediators"),
    "rights_notice": ("告知权利义务", "given the rights notice"), "session": ("召开调解会", "given a session"),
    "agree": ("订立协议", "given an agreement"), "follow_up": ("回访", "followed up"),
    "refer": ("转出", "referred"), "consult": ("登记咨询", "given a consultation"),
    "supervise": ("督办", "supervised"), "raise": ("提出议题", "given an agenda item"),
    "extend": ("延长调解期限", "extended"), "fail": ("终止调解", "ended"), "close": ("结案", "closed"),
    "reception": ("接访站", "reception"), "triage": ("事务分流站", "triage"), "mediation": ("争议调解站", "mediation"),
    "legal": ("法律服务站", "legal services"), "supervision": ("督导督办站", "supervision"),
    "council": ("居民议事站", "residents' council"),
}


def render(code: str, lang: str = "zh", /, **params) -> str:
    """The message in ``lang``; ``params`` fill its blanks (any names, even ``code``)."""
    zh, en = MESSAGES.get(code, (code, code))
    template = en if lang == "en" else zh
    side = 1 if lang == "en" else 0
    words = {name: TERMS[value][side] if isinstance(value, str) and value in TERMS else value
             for name, value in params.items()}
    try:
        return template.format(**words)
    except (KeyError, IndexError):
        return template
