"""The demo county's question bank (called by learning/demo.py first among the learning parts, after the county's
standard six competencies exist): 200 questions about the Party constitution, 三会一课, 乡村振兴, 惠民政策 and
new-media work, tagged by policy area, with a competency each (at least 12 per competency, for the assessment
exams). They are built from lists of facts: each fact gives a single-choice question, a fill-in-the-blank, and
true-or-false statements (one right, one with a wrong value); a few facts with several right answers give the
multiple-choice questions. Written in bulk."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from dangjian.organizations.models import Organization

from .models import Competency, Question, QuestionBank, Tag

if TYPE_CHECKING:
    from dangjian.demo.context import DemoContext

BANK_NAME = "党的基本知识与新媒体业务题库"
TOTAL = 200

# Competencies by their place in competencies.STANDARD.
WRITING, PHOTO, PLATFORM, POLICY, OPINION, SECURITY = range(6)

# (tag, competency, question, right answer, three wrong answers, statement with {} for the answer, explanation)
FACTS: list[tuple[str, int, str, str, tuple[str, str, str], str, str]] = [
    (
        "党章",
        POLICY,
        "中国共产党的根本宗旨是什么？",
        "全心全意为人民服务",
        ("发展社会生产力", "实现共同富裕", "坚持改革开放"),
        "中国共产党的根本宗旨是{}。",
        "党章总纲：党除了工人阶级和最广大人民群众的利益，没有自己特殊的利益，坚持全心全意为人民服务。",
    ),
    (
        "党章",
        POLICY,
        "预备党员的预备期为多长时间？",
        "一年",
        ("半年", "两年", "三年"),
        "预备党员的预备期为{}。",
        "党章第七条：预备党员的预备期为一年，从支部大会通过其为预备党员之日算起。",
    ),
    (
        "党章",
        POLICY,
        "党的最高理想和最终目标是什么？",
        "实现共产主义",
        ("全面建成小康社会", "实现四个现代化", "实现共同富裕"),
        "党的最高理想和最终目标是{}。",
        "党章总纲明确：党的最高理想和最终目标是实现共产主义。",
    ),
    (
        "党章",
        POLICY,
        "党章规定，申请入党的人须年满多少岁？",
        "十八岁",
        ("十六岁", "二十岁", "二十二岁"),
        "党章规定，申请入党的人须年满{}。",
        "党章第一条：年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子可以申请入党。",
    ),
    (
        "党章",
        POLICY,
        "党的根本组织原则是什么？",
        "民主集中制",
        ("集体领导制", "少数服从多数", "首长负责制"),
        "党的根本组织原则是{}。",
        "党章第十条：党是根据自己的纲领和章程，按照民主集中制组织起来的统一整体。",
    ),
    (
        "党章",
        POLICY,
        "党员无正当理由，连续多长时间不参加党的组织生活，就被认为是自行脱党？",
        "六个月",
        ("三个月", "一年", "两年"),
        "党员没有正当理由，连续{}不参加党的组织生活、不交纳党费或不做党所分配的工作，就被认为是自行脱党。",
        "党章第九条对自行脱党作了规定，支部大会应当决议把这样的党员除名。",
    ),
    (
        "党章",
        POLICY,
        "有正式党员几人以上的单位，应当成立党的基层组织？",
        "三人",
        ("五人", "七人", "十人"),
        "凡是有正式党员{}以上的单位，都应当成立党的基层组织。",
        "党章第三十条：企业、农村、机关等基层单位，凡是有正式党员三人以上的，都应当成立党的基层组织。",
    ),
    (
        "党章",
        POLICY,
        "党的基层委员会、总支部委员会、支部委员会每届任期多长？",
        "三年至五年",
        ("两年", "三年", "五年至六年"),
        "党的基层委员会、总支部委员会、支部委员会每届任期{}。",
        "党章第三十条对基层党组织的任期作了规定。",
    ),
    (
        "党章",
        POLICY,
        "党员的党龄从何时算起？",
        "预备期满转为正式党员之日",
        ("递交入党申请书之日", "支部大会通过之日", "确定为入党积极分子之日"),
        "党员的党龄，从{}算起。",
        "党章第七条：党员的党龄，从预备期满转为正式党员之日算起。",
    ),
    (
        "三会一课",
        POLICY,
        "支部党员大会一般多长时间召开一次？",
        "每季度",
        ("每月", "每半年", "每年"),
        "支部党员大会一般{}召开一次。",
        "《中国共产党支部工作条例（试行）》：党员大会一般每季度召开1次。",
    ),
    (
        "三会一课",
        POLICY,
        "支部委员会会议一般多长时间召开一次？",
        "每月",
        ("每周", "每季度", "每半年"),
        "支部委员会会议一般{}召开一次。",
        "《中国共产党支部工作条例（试行）》：支部委员会会议一般每月召开1次。",
    ),
    (
        "三会一课",
        POLICY,
        "党支部书记每年至少讲几次党课？",
        "一次",
        ("两次", "三次", "四次"),
        "党支部书记每年至少讲{}党课。",
        "支部工作条例要求党支部书记每年至少讲1次党课，注重身边人讲身边事。",
    ),
    (
        "三会一课",
        POLICY,
        "党支部一般每年召开几次组织生活会？",
        "一次",
        ("两次", "三次", "四次"),
        "党支部一般每年召开{}组织生活会。",
        "组织生活会一般每年召开1次，开展批评和自我批评。",
    ),
    (
        "三会一课",
        POLICY,
        "党支部应当每月相对固定几天开展主题党日？",
        "1天",
        ("2天", "3天", "1周"),
        "党支部应当每月相对固定{}开展主题党日。",
        "支部工作条例：党支部应当每月相对固定1天开展主题党日，组织党员集中学习、过组织生活、进行民主议事和志愿服务等。",
    ),
    (
        "三会一课",
        POLICY,
        "民主评议党员一般多长时间开展一次？",
        "每年一次",
        ("每两年一次", "每季度一次", "每半年一次"),
        "民主评议党员一般{}。",
        "党支部一般每年开展一次民主评议党员，通常与组织生活会一起进行。",
    ),
    (
        "三会一课",
        POLICY,
        "“三会一课”中的“一课”是指什么？",
        "党课",
        ("法治课", "形势政策课", "业务培训课"),
        "“三会一课”中的“一课”是指{}。",
        "“三会”指支部党员大会、支部委员会和党小组会，“一课”指按时上好党课。",
    ),
    (
        "乡村振兴",
        POLICY,
        "乡村振兴战略总要求中排在第一位的是什么？",
        "产业兴旺",
        ("生态宜居", "乡风文明", "生活富裕"),
        "乡村振兴战略总要求的第一项是{}。",
        "总要求是产业兴旺、生态宜居、乡风文明、治理有效、生活富裕。",
    ),
    (
        "乡村振兴",
        POLICY,
        "第二轮土地承包到期后再延长多少年？",
        "三十年",
        ("十五年", "二十年", "五十年"),
        "党的十九大提出，第二轮土地承包到期后再延长{}。",
        "保持土地承包关系稳定并长久不变，第二轮土地承包到期后再延长三十年。",
    ),
    (
        "乡村振兴",
        POLICY,
        "《中华人民共和国乡村振兴促进法》自何时起施行？",
        "2021年6月1日",
        ("2020年1月1日", "2021年1月1日", "2022年6月1日"),
        "《中华人民共和国乡村振兴促进法》自{}起施行。",
        "该法于2021年4月29日通过，自2021年6月1日起施行。",
    ),
    (
        "乡村振兴",
        POLICY,
        "脱贫攻坚目标任务完成后，对摆脱贫困的县设立多长的过渡期？",
        "5年",
        ("3年", "8年", "10年"),
        "脱贫攻坚目标任务完成后，对摆脱贫困的县从脱贫之日起设立{}过渡期。",
        "过渡期内保持主要帮扶政策总体稳定。",
    ),
    (
        "乡村振兴",
        POLICY,
        "巩固拓展脱贫攻坚成果，要守住不发生什么的底线？",
        "规模性返贫",
        ("区域性贫困", "系统性金融风险", "重大安全事故"),
        "巩固拓展脱贫攻坚成果，要守住不发生{}的底线。",
        "健全防止返贫动态监测和帮扶机制，守住不发生规模性返贫的底线。",
    ),
    (
        "乡村振兴",
        POLICY,
        "我国坚守的耕地保护红线是多少？",
        "18亿亩",
        ("15亿亩", "16亿亩", "20亿亩"),
        "我国坚守的耕地保护红线是{}。",
        "坚决守住18亿亩耕地红线，确保国家粮食安全。",
    ),
    (
        "乡村振兴",
        POLICY,
        "中国农民丰收节设在每年的哪个节气？",
        "秋分",
        ("立秋", "寒露", "霜降"),
        "中国农民丰收节设在每年{}。",
        "2018年起，将每年秋分设立为“中国农民丰收节”。",
    ),
    (
        "惠民政策",
        POLICY,
        "城乡居民基本养老保险参保人一般年满多少周岁可以按月领取养老金？",
        "60周岁",
        ("50周岁", "55周岁", "65周岁"),
        "城乡居民基本养老保险参保人年满{}、累计缴费满15年，可以按月领取养老金。",
        "领取条件为年满60周岁、累计缴费满15年，且未领取国家规定的基本养老保障待遇。",
    ),
    (
        "惠民政策",
        POLICY,
        "城乡居民基本养老保险一般要求累计缴费满多少年？",
        "15年",
        ("10年", "20年", "25年"),
        "城乡居民基本养老保险一般要求累计缴费满{}。",
        "累计缴费满15年的参保人，年满60周岁可按月领取养老金。",
    ),
    (
        "惠民政策",
        POLICY,
        "我国实行几年义务教育制度？",
        "九年",
        ("六年", "十年", "十二年"),
        "我国实行{}义务教育制度。",
        "《义务教育法》规定：国家实行九年义务教育制度。",
    ),
    (
        "惠民政策",
        POLICY,
        "申请最低生活保障，应当向哪里提出书面申请？",
        "户籍所在地的乡镇人民政府（街道办事处）",
        ("县人力资源和社会保障局", "所在村民委员会", "市民政局"),
        "申请最低生活保障，由共同生活的家庭成员向{}提出书面申请。",
        "乡镇人民政府（街道办事处）受理、审核，县级民政部门审批。",
    ),
    (
        "惠民政策",
        POLICY,
        "残疾人“两项补贴”是指困难残疾人生活补贴和哪一项？",
        "重度残疾人护理补贴",
        ("残疾人就业补贴", "残疾儿童教育补贴", "残疾人康复补贴"),
        "残疾人“两项补贴”是指困难残疾人生活补贴和{}。",
        "两项补贴制度自2016年起在全国实施。",
    ),
    (
        "惠民政策",
        POLICY,
        "12345是什么号码？",
        "政务服务便民热线",
        ("医疗急救电话", "火警电话", "报警电话"),
        "12345是{}。",
        "各地政务服务便民热线统一为12345，受理企业和群众的诉求。",
    ),
    (
        "惠民政策",
        POLICY,
        "耕地地力保护补贴主要发放给谁？",
        "拥有耕地承包权的种地农民",
        ("村集体经济组织", "农业企业", "乡镇农技站"),
        "耕地地力保护补贴主要发放给{}。",
        "补贴对象原则上为拥有耕地承包权的种地农民，直接兑付到户。",
    ),
    (
        "惠民政策",
        POLICY,
        "参保人员跨省异地就医直接结算前，应先办理什么？",
        "异地就医备案",
        ("社保卡挂失", "医保关系转移", "退休资格认证"),
        "参保人员跨省异地就医直接结算前，应先办理{}。",
        "备案可通过国家医保服务平台App等线上办理。",
    ),
    (
        "新媒体工作",
        WRITING,
        "新闻写作的“倒金字塔”结构，是把什么放在最前面？",
        "最重要、最新鲜的事实",
        ("背景材料", "领导讲话全文", "会议议程"),
        "新闻写作的“倒金字塔”结构，是把{}放在最前面。",
        "读者常常只读开头，所以最重要的事实写在导语里。",
    ),
    (
        "新媒体工作",
        WRITING,
        "引用文件名称时应使用什么标点？",
        "书名号",
        ("引号", "括号", "方括号"),
        "引用文件名称时应使用{}。",
        "如《中国共产党支部工作条例（试行）》。",
    ),
    (
        "新媒体工作",
        WRITING,
        "“十四五”规划中的数字应当使用什么书写？",
        "汉字",
        ("阿拉伯数字", "罗马数字", "大写数字"),
        "“十四五”规划中的数字应当使用{}书写。",
        "按出版物数字用法的规定，定型的词语中的数字使用汉字。",
    ),
    (
        "新媒体工作",
        WRITING,
        "新闻稿中的时间，应避免只写什么？",
        "“昨天”“近日”等相对时间",
        ("年月日", "星期几", "具体钟点"),
        "新闻稿中的时间应写明具体日期，避免只写{}。",
        "相对时间在转发和存档后会让读者误解。",
    ),
    (
        "新媒体工作",
        PHOTO,
        "把画面横竖各分为三等份、把主体放在交叉点附近的构图方法叫什么？",
        "三分法构图",
        ("中心构图", "对称构图", "对角线构图"),
        "把画面横竖各分为三等份、把主体放在交叉点附近的构图方法叫{}。",
        "三分法构图让画面更自然、有主次。",
    ),
    (
        "新媒体工作",
        PHOTO,
        "手机竖屏短视频常用的画面比例是多少？",
        "9:16",
        ("16:9", "4:3", "1:1"),
        "手机竖屏短视频常用的画面比例是{}。",
        "竖屏9:16正好占满手机屏幕。",
    ),
    (
        "新媒体工作",
        PHOTO,
        "逆光拍摄人物时，为避免面部过暗，应当怎么做？",
        "给面部补光或提高曝光",
        ("关闭补光并降低曝光", "改用黑白模式", "只拍人物背影"),
        "逆光拍摄人物时，为避免面部过暗，应当{}。",
        "可用反光板、补光灯或曝光补偿。",
    ),
    (
        "新媒体工作",
        PHOTO,
        "发布含有群众正面肖像的照片，一般应当怎么做？",
        "事先征得本人同意",
        ("加上水印即可", "注明拍摄时间即可", "无需任何手续"),
        "发布含有群众正面肖像的照片，一般应当{}。",
        "《民法典》保护自然人的肖像权。",
    ),
    (
        "新媒体工作",
        PLATFORM,
        "按政府网站检查要求，“工作动态”栏目至少每多长时间更新一次？",
        "两周",
        ("一个月", "一个季度", "半年"),
        "按政府网站检查要求，“工作动态”栏目至少每{}更新一次。",
        "栏目长期不更新会被通报为“僵尸栏目”。",
    ),
    (
        "新媒体工作",
        PLATFORM,
        "网络信息发布实行的“三审”是指初审、复审和什么？",
        "终审",
        ("抽审", "会审", "联审"),
        "网络信息发布实行的“三审”是指初审、复审和{}。",
        "三审三校，层层把关后再发布。",
    ),
    (
        "新媒体工作",
        PLATFORM,
        "平台账号的密码应当怎样管理？",
        "定期更换且不与他人共用",
        ("与手机号相同便于记忆", "交给同事代管", "写在显示器旁"),
        "平台账号的密码应当{}。",
        "账号被盗用发布的信息，责任仍在账号所属单位。",
    ),
    (
        "新媒体工作",
        PLATFORM,
        "村级党组织的好做法，可以通过平台的哪项功能报送给上级采用？",
        "信息报送",
        ("群众反馈", "监督举报", "通知签收"),
        "村级党组织的好做法，可以通过平台的{}功能报送给上级采用。",
        "上级采用后会出现在其栏目中，并注明来源。",
    ),
    (
        "新媒体工作",
        OPINION,
        "突发事件舆情应对强调在多长时间内发布权威信息？",
        "4小时",
        ("24小时", "48小时", "7天"),
        "突发事件舆情应对强调在{}内发布权威信息。",
        "“黄金4小时”：第一时间发声，掌握主动。",
    ),
    (
        "新媒体工作",
        OPINION,
        "回应群众关切时，应当做到什么？",
        "实事求是、公开透明",
        ("回避问题、删帖了事", "只转发不表态", "等事态平息后再说"),
        "回应群众关切时，应当做到{}。",
        "回应要说清事实、措施和进展。",
    ),
    (
        "新媒体工作",
        OPINION,
        "政务舆情回应的第一责任主体是谁？",
        "涉事地方和部门",
        ("上级宣传部门", "网络平台", "新闻媒体"),
        "政务舆情回应的第一责任主体是{}。",
        "按照“谁主管谁负责”的原则，涉事地方和部门是第一责任主体。",
    ),
    (
        "保密",
        SECURITY,
        "涉密信息能否在互联网上发布？",
        "严禁发布",
        ("经领导同意可以发布", "删去密级标志后可以发布", "在夜间可以发布"),
        "涉密信息{}。",
        "《保守国家秘密法》：不得在互联网及其他公共信息网络中传递国家秘密。",
    ),
    (
        "保密",
        SECURITY,
        "在公开平台发布名单时，身份证号、手机号应当怎么处理？",
        "隐去或打码",
        ("完整公布", "放在附件中公布", "截图后公布"),
        "在公开平台发布名单时，身份证号、手机号应当{}。",
        "《个人信息保护法》要求处理个人信息应当最小必要。",
    ),
    (
        "保密",
        SECURITY,
        "处理涉密信息的计算机应当与互联网怎样？",
        "物理隔离",
        ("逻辑隔离", "定期断开", "通过代理连接"),
        "处理涉密信息的计算机应当与互联网{}。",
        "涉密计算机严禁接入互联网及其他公共信息网络。",
    ),
    (
        "保密",
        SECURITY,
        "国家秘密的密级分为绝密、机密和哪一级？",
        "秘密",
        ("内部", "敏感", "保密"),
        "国家秘密的密级分为绝密、机密和{}三级。",
        "《保守国家秘密法》第十三条规定了三个密级。",
    ),
]

# (tag, competency, question, right answers, wrong answers, explanation)
CHOICES: list[tuple[str, int, str, tuple[str, ...], tuple[str, ...], str]] = [
    (
        "三会一课",
        POLICY,
        "“三会一课”中的“三会”包括哪些？",
        ("支部党员大会", "支部委员会", "党小组会"),
        ("村民代表大会", "职工代表大会"),
        "“三会”指支部党员大会、支部委员会和党小组会。",
    ),
    (
        "乡村振兴",
        POLICY,
        "乡村振兴战略的总要求包括哪些？",
        ("产业兴旺", "生态宜居", "乡风文明", "生活富裕"),
        ("招商引资",),
        "总要求是产业兴旺、生态宜居、乡风文明、治理有效、生活富裕。",
    ),
    (
        "党章",
        POLICY,
        "党的纪律处分有哪些种类？",
        ("警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"),
        ("罚款", "降级"),
        "党章第四十二条：党的纪律处分有五种。",
    ),
    (
        "党章",
        POLICY,
        "“四个意识”是指哪些？",
        ("政治意识", "大局意识", "核心意识", "看齐意识"),
        ("忧患意识", "创新意识"),
        "增强“四个意识”是对每一名党员的要求。",
    ),
    (
        "党章",
        POLICY,
        "“四个自信”是指哪些？",
        ("道路自信", "理论自信", "制度自信", "文化自信"),
        ("民族自信", "科技自信"),
        "坚定中国特色社会主义道路自信、理论自信、制度自信、文化自信。",
    ),
    (
        "惠民政策",
        POLICY,
        "下列属于我国社会保险的有哪些？",
        ("基本养老保险", "基本医疗保险", "失业保险", "工伤保险"),
        ("商业人寿保险",),
        "《社会保险法》规定了基本养老、基本医疗、工伤、失业、生育保险。",
    ),
    (
        "党章",
        POLICY,
        "“两学一做”中的“两学”是指什么？",
        ("学党章党规", "学系列讲话"),
        ("学业务知识", "学法律法规"),
        "“两学一做”即学党章党规、学系列讲话，做合格党员。",
    ),
    (
        "乡村振兴",
        POLICY,
        "乡村“五个振兴”包括哪些？",
        ("产业振兴", "人才振兴", "文化振兴", "生态振兴", "组织振兴"),
        ("科技振兴",),
        "五个振兴：产业、人才、文化、生态、组织振兴。",
    ),
    (
        "新媒体工作",
        WRITING,
        "一条新闻一般应交代哪些要素？",
        ("时间", "地点", "人物", "事件"),
        ("作者籍贯",),
        "新闻要素常说“五个W”：何时、何地、何人、何事、何故。",
    ),
    (
        "保密",
        SECURITY,
        "下列哪些不得在公开平台发布？",
        ("国家秘密", "群众的身份证号码", "未公开的内部工作信息"),
        ("已公开的政策文件", "村务公开事项"),
        "公开前要做保密审查和个人信息审查。",
    ),
    (
        "新媒体工作",
        OPINION,
        "发现涉及本地的负面舆情后，正确的做法有哪些？",
        ("及时向领导报告", "核实情况", "依法依规回应"),
        ("删帖了事", "与网民争吵"),
        "先报告、再核实、后回应，回应要及时、准确。",
    ),
    (
        "新媒体工作",
        PHOTO,
        "拍摄会议新闻照片时应当注意什么？",
        ("突出会议主题", "人物精神饱满", "避开闭眼等不雅瞬间"),
        ("尽量使用美颜滤镜夸大效果",),
        "新闻照片要真实、有主题，不做误导性的修饰。",
    ),
]


def _questions(rng: random.Random) -> list[tuple[Question, str, int]]:
    """(question, tag) pairs, exactly TOTAL: per fact a single choice, a blank and a right statement; the multiple
    choices; then wrong statements, those of the smaller competencies first, until TOTAL."""
    core: list[tuple[Question, str, int]] = []
    wrong_statements: list[tuple[Question, str, int]] = []
    for tag, competency, ask, right, wrong, statement, explanation in FACTS:
        options = [right, *wrong]
        rng.shuffle(options)
        core.append(
            (
                Question(
                    kind=Question.Kind.SINGLE,
                    text=ask,
                    options=options,
                    answer=[options.index(right)],
                    explanation=explanation,
                ),
                tag,
                competency,
            )
        )
        core.append(
            (
                Question(
                    kind=Question.Kind.BLANK, text=statement.format("____"), answer=[right], explanation=explanation
                ),
                tag,
                competency,
            )
        )
        core.append(
            (
                Question(
                    kind=Question.Kind.TRUE_FALSE, text=statement.format(right), answer=[True], explanation=explanation
                ),
                tag,
                competency,
            )
        )
        wrong_statements.append(
            (
                Question(
                    kind=Question.Kind.TRUE_FALSE,
                    text=statement.format(wrong[0]),
                    answer=[False],
                    explanation=f"错。应为“{right}”。{explanation}",
                ),
                tag,
                competency,
            )
        )
    for tag, competency, ask, rights, wrongs, explanation in CHOICES:
        options = [*rights, *wrongs]
        rng.shuffle(options)
        answer = sorted(options.index(r) for r in rights)
        core.append(
            (
                Question(
                    kind=Question.Kind.MULTIPLE, text=ask, options=options, answer=answer, explanation=explanation
                ),
                tag,
                competency,
            )
        )
    wrong_statements.sort(key=lambda item: item[2] == POLICY)  # stable: the other competencies first
    return (core + wrong_statements[: max(0, TOTAL - len(core))])[:TOTAL]


def load(ctx: DemoContext) -> list[str]:
    county = Organization.objects.filter(parent=None).order_by("pk").first()
    if county is None or QuestionBank.objects.filter(organization=county, name=BANK_NAME).exists():
        return []
    framework = list(Competency.objects.filter(organization=county, archived_at=None).order_by("order", "pk"))
    bank = QuestionBank.objects.create(
        organization=county,
        name=BANK_NAME,
        description="党章党规、三会一课、乡村振兴、惠民政策和新媒体业务，供练习和考试使用。",
    )
    rng = random.Random(ctx.rng.random())
    rows = _questions(rng)
    for question, _tag, index in rows:
        question.bank = bank
        question.competency = framework[index] if index < len(framework) else None
    created = Question.objects.bulk_create([q for q, _tag, _index in rows])
    names = sorted({tag for _q, tag, _index in rows})
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    tags = {t.name: t for t in Tag.objects.filter(name__in=names)}
    through = Question.tags.through
    through.objects.bulk_create(
        [through(question_id=q.pk, tag_id=tags[tag].pk) for q, (_q, tag, _index) in zip(created, rows, strict=True)]
    )
    return [f"learning: question bank “{bank.name}” with {len(created)} questions"]
