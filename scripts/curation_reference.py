# ruff: noqa: E501  (the indicator table keeps one reviewable line per indicator)
"""Hand-curated reference tables used by `curate_sources.py`: regions and indicator metadata.

Kept apart from the curation logic because these are facts to review line by line (codes,
official names, English names), not code to read. County codes were checked against the
National Bureau of Statistics' statistical division codes as of 2022-10-31 (published
2022-12-29), mirrored in github.com/modood/Administrative-divisions-of-China, dist/areas.csv
(commit dc3a1d7). At county level these equal the GB/T 2260 codes published by the Ministry
of Civil Affairs.
"""

from __future__ import annotations

# code, official Chinese name, English name
PROVINCES: list[tuple[str, str, str]] = [
    ("110000", "北京市", "Beijing"),
    ("120000", "天津市", "Tianjin"),
    ("130000", "河北省", "Hebei"),
    ("140000", "山西省", "Shanxi"),
    ("150000", "内蒙古自治区", "Inner Mongolia"),
    ("210000", "辽宁省", "Liaoning"),
    ("220000", "吉林省", "Jilin"),
    ("230000", "黑龙江省", "Heilongjiang"),
    ("310000", "上海市", "Shanghai"),
    ("320000", "江苏省", "Jiangsu"),
    ("330000", "浙江省", "Zhejiang"),
    ("340000", "安徽省", "Anhui"),
    ("350000", "福建省", "Fujian"),
    ("360000", "江西省", "Jiangxi"),
    ("370000", "山东省", "Shandong"),
    ("410000", "河南省", "Henan"),
    ("420000", "湖北省", "Hubei"),
    ("430000", "湖南省", "Hunan"),
    ("440000", "广东省", "Guangdong"),
    ("450000", "广西壮族自治区", "Guangxi"),
    ("460000", "海南省", "Hainan"),
    ("500000", "重庆市", "Chongqing"),
    ("510000", "四川省", "Sichuan"),
    ("520000", "贵州省", "Guizhou"),
    ("530000", "云南省", "Yunnan"),
    ("540000", "西藏自治区", "Xizang (Tibet)"),
    ("610000", "陕西省", "Shaanxi"),
    ("620000", "甘肃省", "Gansu"),
    ("630000", "青海省", "Qinghai"),
    ("640000", "宁夏回族自治区", "Ningxia"),
    ("650000", "新疆维吾尔自治区", "Xinjiang"),
]

XPCC_NOTE = (
    "NOT an official GB/T 2260 code: 660000 is the convention the China Labour Statistical"
    " Yearbook and MOHRSS tables use for the Xinjiang Production and Construction Corps"
    " (新疆生产建设兵团), which reports separately from Xinjiang (650000)."
)

# Prefecture-level units outside Guizhou that the sources use: code, name, English, parent, note
OTHER_PREFECTURES: list[tuple[str, str, str, str, str]] = [
    (
        "440300",
        "深圳市",
        "Shenzhen",
        "440000",
        "MOHRSS minimum-wage tables list Shenzhen separately from Guangdong.",
    ),
]

GUIZHOU_PREFECTURES: list[tuple[str, str, str]] = [
    ("520100", "贵阳市", "Guiyang"),
    ("520200", "六盘水市", "Liupanshui"),
    ("520300", "遵义市", "Zunyi"),
    ("520400", "安顺市", "Anshun"),
    ("520500", "毕节市", "Bijie"),
    ("520600", "铜仁市", "Tongren"),
    ("522300", "黔西南布依族苗族自治州", "Qianxinan Buyei and Miao Autonomous Prefecture"),
    ("522600", "黔东南苗族侗族自治州", "Qiandongnan Miao and Dong Autonomous Prefecture"),
    ("522700", "黔南布依族苗族自治州", "Qiannan Buyei and Miao Autonomous Prefecture"),
]

# Every county or district named in guizhou_min_wage_tier_areas.csv:
# name as printed on the page -> (code, official name, English name)
GUIZHOU_COUNTIES: dict[str, tuple[str, str, str]] = {
    "南明区": ("520102", "南明区", "Nanming District"),
    "云岩区": ("520103", "云岩区", "Yunyan District"),
    "花溪区": ("520111", "花溪区", "Huaxi District"),
    "乌当区": ("520112", "乌当区", "Wudang District"),
    "白云区": ("520113", "白云区", "Baiyun District"),
    "观山湖区": ("520115", "观山湖区", "Guanshanhu District"),
    "开阳县": ("520121", "开阳县", "Kaiyang County"),
    "息烽县": ("520122", "息烽县", "Xifeng County"),
    "修文县": ("520123", "修文县", "Xiuwen County"),
    "清镇市": ("520181", "清镇市", "Qingzhen City"),
    "钟山区": ("520201", "钟山区", "Zhongshan District"),
    "六枝特区": ("520203", "六枝特区", "Liuzhi Special District"),
    "水城区": ("520204", "水城区", "Shuicheng District"),
    "红花岗区": ("520302", "红花岗区", "Honghuagang District"),
    "汇川区": ("520303", "汇川区", "Huichuan District"),
    "播州区": ("520304", "播州区", "Bozhou District"),
    "桐梓县": ("520322", "桐梓县", "Tongzi County"),
    "绥阳县": ("520323", "绥阳县", "Suiyang County"),
    "正安县": ("520324", "正安县", "Zheng'an County"),
    "道真县": (
        "520325",
        "道真仡佬族苗族自治县",
        "Daozhen Gelao and Miao Autonomous County",
    ),
    "务川县": (
        "520326",
        "务川仡佬族苗族自治县",
        "Wuchuan Gelao and Miao Autonomous County",
    ),
    "凤冈县": ("520327", "凤冈县", "Fenggang County"),
    "湄潭县": ("520328", "湄潭县", "Meitan County"),
    "余庆县": ("520329", "余庆县", "Yuqing County"),
    "习水县": ("520330", "习水县", "Xishui County"),
    "赤水市": ("520381", "赤水市", "Chishui City"),
    "仁怀市": ("520382", "仁怀市", "Renhuai City"),
    "西秀区": ("520402", "西秀区", "Xixiu District"),
    "平坝区": ("520403", "平坝区", "Pingba District"),
    "普定县": ("520422", "普定县", "Puding County"),
    "镇宁县": (
        "520423",
        "镇宁布依族苗族自治县",
        "Zhenning Buyei and Miao Autonomous County",
    ),
    "关岭县": (
        "520424",
        "关岭布依族苗族自治县",
        "Guanling Buyei and Miao Autonomous County",
    ),
    "紫云县": (
        "520425",
        "紫云苗族布依族自治县",
        "Ziyun Miao and Buyei Autonomous County",
    ),
    "七星关区": ("520502", "七星关区", "Qixingguan District"),
    "大方县": ("520521", "大方县", "Dafang County"),
    "金沙县": ("520523", "金沙县", "Jinsha County"),
    "织金县": ("520524", "织金县", "Zhijin County"),
    "纳雍县": ("520525", "纳雍县", "Nayong County"),
    "威宁县": (
        "520526",
        "威宁彝族回族苗族自治县",
        "Weining Yi, Hui and Miao Autonomous County",
    ),
    "赫章县": ("520527", "赫章县", "Hezhang County"),
    "黔西市": ("520581", "黔西市", "Qianxi City"),
    "碧江区": ("520602", "碧江区", "Bijiang District"),
    "万山区": ("520603", "万山区", "Wanshan District"),
    "江口县": ("520621", "江口县", "Jiangkou County"),
    "玉屏县": ("520622", "玉屏侗族自治县", "Yuping Dong Autonomous County"),
    "石阡县": ("520623", "石阡县", "Shiqian County"),
    "思南县": ("520624", "思南县", "Sinan County"),
    "印江县": (
        "520625",
        "印江土家族苗族自治县",
        "Yinjiang Tujia and Miao Autonomous County",
    ),
    "德江县": ("520626", "德江县", "Dejiang County"),
    "沿河县": ("520627", "沿河土家族自治县", "Yanhe Tujia Autonomous County"),
    "松桃县": ("520628", "松桃苗族自治县", "Songtao Miao Autonomous County"),
    "凯里市": ("522601", "凯里市", "Kaili City"),
    "黄平县": ("522622", "黄平县", "Huangping County"),
    "施秉县": ("522623", "施秉县", "Shibing County"),
    "三穗县": ("522624", "三穗县", "Sansui County"),
    "镇远县": ("522625", "镇远县", "Zhenyuan County"),
    "岑巩县": ("522626", "岑巩县", "Cengong County"),
    "天柱县": ("522627", "天柱县", "Tianzhu County"),
    "锦屏县": ("522628", "锦屏县", "Jinping County"),
    "剑河县": ("522629", "剑河县", "Jianhe County"),
    "台江县": ("522630", "台江县", "Taijiang County"),
    "黎平县": ("522631", "黎平县", "Liping County"),
    "榕江县": ("522632", "榕江县", "Rongjiang County"),
    "从江县": ("522633", "从江县", "Congjiang County"),
    "雷山县": ("522634", "雷山县", "Leishan County"),
    "麻江县": ("522635", "麻江县", "Majiang County"),
    "丹寨县": ("522636", "丹寨县", "Danzhai County"),
    "都匀市": ("522701", "都匀市", "Duyun City"),
    "福泉市": ("522702", "福泉市", "Fuquan City"),
    "荔波县": ("522722", "荔波县", "Libo County"),
    "贵定县": ("522723", "贵定县", "Guiding County"),
    "瓮安县": ("522725", "瓮安县", "Weng'an County"),
    "独山县": ("522726", "独山县", "Dushan County"),
    "平塘县": ("522727", "平塘县", "Pingtang County"),
    "罗甸县": ("522728", "罗甸县", "Luodian County"),
    "长顺县": ("522729", "长顺县", "Changshun County"),
    "龙里县": ("522730", "龙里县", "Longli County"),
    "惠水县": ("522731", "惠水县", "Huishui County"),
    "三都县": ("522732", "三都水族自治县", "Sandu Shui Autonomous County"),
}

# Indicator metadata, one line each: code | 中文名 | English name | measure | theme.
# measure: S stock, F flow, R rate (%), Q ratio or share, A average, L target or ceiling,
# Cs / Cf count of items (institutions, documents, calls...) as a stock / as a flow.
# theme: e employment, s social-insurance, w wages, t talent, g government-transparency.
INDICATOR_TABLE = """
active_disclosure_catalogue_items|主动公开业务信息目录事项数|Items in the active-disclosure catalogue|Cs|g
administrative_licences_online|纳入省政府政务服务中心统一办理的行政许可事项数|Administrative licences handled through the provincial service centre|Cs|g
administrative_services_online|纳入省政府政务服务中心统一办理的行政服务事项数|Administrative services handled through the provincial service centre|Cs|g
agri_labour_transfer|农业劳动力转移就业人数|Agricultural labour transferred to non-farm employment|F|e
agri_labour_transfer_target|农业劳动力转移就业年度目标|Agricultural labour transfer: annual target|L|e
anti_epidemic_bond_funds_used|使用抗疫特别国债资金|Special anti-epidemic treasury bond funds used for employment|F|e
avg_wage_above_scale_enterprises|规模以上企业就业人员年平均工资|Average annual wage of persons employed in enterprises above designated size|A|w
avg_wage_all_urban_units|全口径城镇单位就业人员年平均工资|Average annual wage of persons employed in all urban units|A|w
avg_wage_all_urban_units_growth|全口径城镇单位就业人员年平均工资增长率|Average annual wage, all urban units: growth|R|w
avg_wage_industry_max_min_ratio|最高与最低行业平均工资之比|Ratio of the highest to the lowest industry average wage|Q|w
avg_wage_nonprivate_agri|农林牧渔业非私营单位年平均工资|Average annual wage, non-private units: agriculture, forestry, animal husbandry and fishery|A|w
avg_wage_nonprivate_agri_growth|农林牧渔业非私营单位年平均工资增长率|Average annual wage, non-private units, agriculture: growth|R|w
avg_wage_nonprivate_central|中部地区非私营单位年平均工资|Average annual wage, non-private units: central region|A|w
avg_wage_nonprivate_east|东部地区非私营单位年平均工资|Average annual wage, non-private units: eastern region|A|w
avg_wage_nonprivate_finance|金融业非私营单位年平均工资|Average annual wage, non-private units: finance|A|w
avg_wage_nonprivate_hotel_catering|住宿和餐饮业非私营单位年平均工资|Average annual wage, non-private units: accommodation and catering|A|w
avg_wage_nonprivate_it|信息传输、软件和信息技术服务业非私营单位年平均工资|Average annual wage, non-private units: information transmission, software and IT services|A|w
avg_wage_nonprivate_northeast|东北地区非私营单位年平均工资|Average annual wage, non-private units: north-eastern region|A|w
avg_wage_nonprivate_resident_services|居民服务、修理和其他服务业非私营单位年平均工资|Average annual wage, non-private units: resident, repair and other services|A|w
avg_wage_nonprivate_utilities|电力、热力、燃气及水生产和供应业非私营单位年平均工资|Average annual wage, non-private units: electricity, heat, gas and water supply|A|w
avg_wage_nonprivate_water_env|水利、环境和公共设施管理业非私营单位年平均工资|Average annual wage, non-private units: water, environment and public facilities management|A|w
avg_wage_nonprivate_west|西部地区非私营单位年平均工资|Average annual wage, non-private units: western region|A|w
avg_wage_on_post_staff|在岗职工年平均工资|Average annual wage of on-post staff|A|w
avg_wage_on_post_staff_growth|在岗职工年平均工资增长率|Average annual wage of on-post staff: growth|R|w
avg_wage_urban_nonprivate|城镇非私营单位就业人员年平均工资|Average annual wage of persons employed in urban non-private units|A|w
avg_wage_urban_nonprivate_change|城镇非私营单位就业人员年平均工资比上年增加额|Average annual wage, urban non-private units: increase on the previous year|A|w
avg_wage_urban_nonprivate_growth|城镇非私营单位就业人员年平均工资名义增长率|Average annual wage, urban non-private units: nominal growth|R|w
avg_wage_urban_nonprivate_real_growth|城镇非私营单位就业人员年平均工资实际增长率|Average annual wage, urban non-private units: real growth|R|w
avg_wage_urban_private|城镇私营单位就业人员年平均工资|Average annual wage of persons employed in urban private units|A|w
avg_wage_urban_private_growth|城镇私营单位就业人员年平均工资名义增长率|Average annual wage, urban private units: nominal growth|R|w
basic_medical_insurance_coverage_rate|城乡三项基本医疗保险参保率|Participation rate of the three basic medical insurance schemes|R|s
basic_pension_fund_balance|基本养老保险基金累计结存|Basic pension insurance funds: accumulated balance|S|s
basic_pension_fund_expenditure|基本养老保险基金支出|Basic pension insurance funds: expenditure|F|s
basic_pension_fund_expenditure_growth|基本养老保险基金支出增长率|Basic pension insurance funds: expenditure growth|R|s
basic_pension_fund_income|基本养老保险基金收入|Basic pension insurance funds: income|F|s
basic_pension_fund_income_growth|基本养老保险基金收入增长率|Basic pension insurance funds: income growth|R|s
basic_pension_participants|基本养老保险参保人数|Basic pension insurance participants|S|s
basic_pension_participants_change|基本养老保险参保人数比上年末增加|Basic pension insurance participants: increase since the previous year end|F|s
census_unemployed_persons_cities|2010年人口普查长表失业人口（城市，样本数，未推算）|2010 census long-form unemployed persons, cities (sample count, not scaled)|S|e
census_unemployed_persons_towns|2010年人口普查长表失业人口（镇，样本数，未推算）|2010 census long-form unemployed persons, towns (sample count, not scaled)|S|e
census_unemployment_avg_duration_months_cities|2010年人口普查平均失业时间（城市）|2010 census average duration of unemployment, cities|A|e
census_unemployment_avg_duration_months_towns|2010年人口普查平均失业时间（镇）|2010 census average duration of unemployment, towns|A|e
central_employment_subsidy_funds|争取中央转移就业补助资金|Central transfer funds for employment subsidies obtained|F|e
central_employment_subsidy_funds_growth|中央转移就业补助资金增长率|Central transfer funds for employment subsidies: growth|R|e
certificate_complaints_answered|办理答复证明事项投诉平台投诉件数|Complaints on certificate requirements answered|Cf|g
certificate_requirements_cancelled|取消无法律法规依据的证明材料项数|Certificate requirements without legal basis cancelled|Cf|g
civil_servants|全国公务员人数|Civil servants|S|t
cluster_sites_items_cumulative|人社集群网站累计发布信息条数|Items published on the HRSS website cluster, cumulative|Cf|g
cluster_sites_visits_cumulative|人社集群网站累计访问量|Visits to the HRSS website cluster, cumulative|F|g
college_graduates|高校毕业生人数|College graduates|F|e
community_managed_enterprise_retirees|纳入社区管理的企业退休人数|Enterprise retirees under community management|S|s
community_managed_enterprise_retirees_share|纳入社区管理的企业退休人数占企业退休人员总数比例|Share of enterprise retirees under community management|Q|s
community_managed_retirees|纳入社区管理的企业退休人员数|Enterprise retirees under community management|S|s
community_managed_retirees_share|纳入社区管理的企业退休人员占企业退休人员总数比例|Share of enterprise retirees under community management|Q|s
director_mailbox_replies|厅长信箱解答回应件数|Director's mailbox messages answered|Cf|g
disclosure_applications_handled|办理政府信息公开申请件数|Government-information disclosure applications handled|Cf|g
disclosure_reviews_and_lawsuits|因信息公开申请产生的行政复议和行政诉讼件数|Administrative reviews and lawsuits arising from disclosure applications|Cf|g
disposable_income_per_capita|常住居民人均可支配收入|Per-capita disposable income of residents|A|w
disposable_income_rural|农村常住居民人均可支配收入|Per-capita disposable income of rural residents|A|w
disposable_income_urban|城镇常住居民人均可支配收入|Per-capita disposable income of urban residents|A|w
employed_persons_rural|乡村就业人员|Rural employed persons|S|e
employed_persons_total|就业人员|Employed persons|S|e
employed_persons_total_change|就业人员比上年末增减|Employed persons: change since the previous year end|F|e
employed_persons_total_peak|就业人员总量峰值|Employed persons: peak of the series|S|e
employed_persons_urban|城镇就业人员|Urban employed persons|S|e
employed_persons_urban_change|城镇就业人员比上年末增减|Urban employed persons: change since the previous year end|F|e
employee_medical_insurance_participants|职工基本医疗保险参保人数|Employees' basic medical insurance participants|S|s
employee_medical_insurance_participants_growth|职工基本医疗保险参保人数增长率|Employees' basic medical insurance participants: growth|R|s
employment_assistance_workshops|认定就业帮扶车间（基地）数|Certified employment-assistance workshops (bases)|Cs|e
employment_share_primary|第一产业就业人员占比|Share of employment in the primary sector|Q|e
employment_share_secondary|第二产业就业人员占比|Share of employment in the secondary sector|Q|e
employment_share_tertiary|第三产业就业人员占比|Share of employment in the tertiary sector|Q|e
employment_special_funds_used|使用就业专项资金|Special employment funds used|F|e
employment_subsidy_funds_used|累计使用就业补助资金|Employment subsidy funds used|F|e
enterprise_annuity_firms|建立企业年金的企业数|Enterprises with an enterprise annuity plan|S|s
enterprise_annuity_fund_balance|企业年金基金累计结存|Enterprise annuity funds: accumulated balance|S|s
enterprise_annuity_participants|参加企业年金职工人数|Employees covered by enterprise annuities|S|s
enterprise_annuity_return_rate|企业年金加权平均收益率|Enterprise annuity funds: weighted average rate of return|R|s
enterprise_employee_pension_participants|企业职工基本养老保险参保人数|Enterprise employees' basic pension insurance participants|S|s
enterprise_employee_pension_participants_growth|企业职工基本养老保险参保人数增长率|Enterprise employees' basic pension insurance participants: growth|R|s
enterprise_pension_avg_monthly|企业职工基本养老保险退休人员月人均基本养老金|Average monthly basic pension of enterprise retirees|A|s
enterprise_pension_avg_monthly_change|企业退休人员月人均基本养老金比上年增加额|Average monthly basic pension of enterprise retirees: increase on the previous year|A|s
enterprise_pension_avg_monthly_growth|企业退休人员月人均基本养老金增长率|Average monthly basic pension of enterprise retirees: growth|R|s
enterprise_pension_contributing_workers|企业职工基本养老保险参保职工人数|Enterprise employees' basic pension insurance: contributing workers|S|s
enterprise_pension_dependency_ratio|企业职工基本养老保险抚养比（参保职工/离退休人员）|Enterprise pension support ratio (contributing workers per retiree)|Q|s
enterprise_pension_participants|企业职工基本养老保险参保人数|Enterprise employees' basic pension insurance participants|S|s
enterprise_pension_retirees|企业职工基本养老保险离退休人数|Enterprise employees' basic pension insurance: retirees|S|s
entrepreneurship_driven_employment|创业带动就业人数|Employment generated by supported start-ups|F|e
entrepreneurship_guaranteed_loans_new|新增发放创业担保贷款|New business start-up guaranteed loans issued|F|e
entrepreneurship_incubation_bases|创业孵化基地数|Business incubation bases|Cs|e
entrepreneurship_incubation_bases_national|国家级创业孵化示范基地数|National-level demonstration business incubation bases|Cs|e
entrepreneurship_incubation_bases_provincial|省级创业孵化示范基地数|Provincial-level demonstration business incubation bases|Cs|e
entrepreneurship_supported_persons|新增扶持创业人数|Persons newly supported to start a business|F|e
five_si_fund_balance|五项社会保险基金累计结余|Five social insurance funds: accumulated balance|S|s
five_si_fund_expenditure|五项社会保险基金支出合计|Five social insurance funds: total expenditure|F|s
five_si_fund_expenditure_growth|五项社会保险基金支出增长率|Five social insurance funds: expenditure growth|R|s
five_si_fund_income|五项社会保险基金收入合计|Five social insurance funds: total income|F|s
five_si_fund_income_growth|五项社会保险基金收入增长率|Five social insurance funds: income growth|R|s
five_si_fund_scale|五项社会保险基金收支规模|Five social insurance funds: income plus expenditure|F|s
government_site_messages|政府网站公布消息条数|Messages published on the government website|Cf|g
graduate_job_seeking_subsidy_amount|困难毕业生求职创业补贴金额|Job-seeking and start-up subsidies paid to graduates in difficulty|F|e
graduate_job_seeking_subsidy_beneficiaries|求职创业补贴惠及毕业生人数|Graduates receiving job-seeking and start-up subsidies|F|e
graduate_startup_projects_supported|扶持高校毕业生创业项目数|Graduate start-up projects supported|Cf|e
hard_to_employ_employed|就业困难人员实现就业人数|Persons with employment difficulties who found work|F|e
hard_to_employ_employed_growth|就业困难人员实现就业人数增长率|Persons with employment difficulties who found work: growth|R|e
hard_to_employ_employed_target|就业困难人员就业年度目标|Persons with employment difficulties finding work: annual target|L|e
high_skilled_share|高技能人才占技能劳动者比例|Share of highly skilled workers among skilled workers|Q|t
high_skilled_workers|高技能人才人数|Highly skilled workers|S|t
hotline_12333_calls|12333电话咨询服务量|Calls answered by the 12333 hotline|F|g
hotline_12333_calls_daily_avg|12333电话咨询日均服务量|Calls answered by the 12333 hotline per day (average)|A|g
job_stabilization_refund_amount|失业保险稳岗返还资金|Job-stabilisation refunds from unemployment insurance|F|s
job_stabilization_refund_beneficiaries|稳岗返还惠及职工人数|Workers covered by job-stabilisation refunds|F|s
job_stabilization_refund_firms|稳岗返还惠及企业数|Enterprises receiving job-stabilisation refunds|F|s
job_stabilization_refund_workers|稳岗返还惠及职工人数|Workers covered by job-stabilisation refunds|F|s
labour_cooperation_agreements|签订返岗备忘录和劳务协作协议份数|Return-to-work memoranda and labour cooperation agreements signed|Cf|e
labour_cooperation_stations|互建劳务协作站（点）数|Labour cooperation stations set up jointly|Cs|e
labour_export_base_counties|劳务输出基地县数|Labour-export base counties|Cs|e
labour_poverty_platform_matches|劳务就业扶贫大数据平台线上匹配岗位人次|Online job matches on the employment poverty-alleviation platform|F|e
laid_off_reemployed_cumulative|促进下岗失业人员再就业人数（期间累计）|Laid-off and unemployed persons re-employed (period total)|F|e
maternity_insurance_participants|生育保险参保人数|Maternity insurance participants|S|s
maternity_insurance_participants_growth|生育保险参保人数增长率|Maternity insurance participants: growth|R|s
migrant_worker_monthly_income|农民工人均月收入|Average monthly income of migrant workers|A|w
migrant_workers_in_pension|参加基本养老保险的农民工人数|Migrant workers in basic pension insurance|S|s
migrant_workers_local|本地农民工人数|Local migrant workers|S|e
migrant_workers_outgoing|外出农民工人数|Outgoing migrant workers|S|e
migrant_workers_total|农民工总量|Migrant workers, total|S|e
min_wage_avg_increase|最低工资标准平均增幅|Average increase of minimum wage standards|R|w
min_wage_regions_adjusted|调整最低工资标准的地区数|Provinces that adjusted their minimum wage standards|Cf|w
normative_documents_abolished|清理后决定废止的规范性文件件数|Normative documents abolished after review|Cf|g
normative_documents_invalidated|清理后宣布失效的规范性文件件数|Normative documents declared invalid after review|Cf|g
normative_documents_reviewed|审查规范性文件件数|Normative documents reviewed|Cf|g
normative_documents_reviewed_growth|规范性文件审查数量增幅|Normative documents reviewed: growth|R|g
normative_documents_still_valid|清理后继续有效的规范性文件件数|Normative documents still valid after review|Cs|g
online_interviews_government_site|厅主要领导政府网站在线访谈次数|Online interviews of department leaders on the government website|Cf|g
organized_return_trips|组织专列专厢专车包机次数|Dedicated trains, carriages, buses and charter flights organised|Cf|e
outgoing_migrant_monthly_income|外出农民工人均月收入|Average monthly income of outgoing migrant workers|A|w
outside_province_workers_target|省外务工规模稳定目标|Workers employed outside the province: target level|L|e
pension_fiscal_subsidy|各级财政补贴基本养老保险基金|Government subsidies to the basic pension insurance fund|F|s
pensioners_paid_by_socialized_agencies|养老金社会化发放人数|Pensioners paid through socialised agencies|S|s
peoples_daily_outdoor_items|与人民日报户外阅读栏协作发布信息条数|Items published with People's Daily outdoor reading boards|Cf|g
policy_interpretations_portal|门户网站发布政策解读条次|Policy interpretations published on the department portal|Cf|g
policy_interpretations_wechat_weibo|微信微博平台发布政策解读和办事指南条数|Policy interpretations and service guides published on WeChat and Weibo|Cf|g
poor_labour_employed_via_platform|通过平台促进贫困劳动力就业人数|Poor workers employed through the platform|F|e
poor_labour_helped_cumulative|累计帮扶建档立卡贫困劳动力就业人数|Registered poor workers helped into employment, cumulative|F|e
portal_items_cumulative|门户网站累计发布信息条数|Items published on the department portal, cumulative|Cf|g
portal_items_year|门户网站年度发布信息条数|Items published on the department portal in the year|Cf|g
portal_visits_cumulative|门户网站累计访问量|Visits to the department portal, cumulative|F|g
portal_visits_year|门户网站年度访问量|Visits to the department portal in the year|F|g
postdoc_stations|博士后科研流动站数|Postdoctoral research stations (universities and institutes)|Cs|t
postdoc_workstations|博士后科研工作站数|Postdoctoral research workstations (enterprises)|Cs|t
poverty_alleviation_workshops|认定就业扶贫车间（基地）数|Certified poverty-alleviation employment workshops (bases)|Cs|e
poverty_exited_outgoing_workers|脱贫人口外出务工规模|People lifted out of poverty working away from home|S|e
power_list_items_standardized|统一规范的权力事项数|Administrative powers standardised across province, city and county|Cs|g
press_responses|通过报刊回应次数|Responses published through newspapers|Cf|g
prof_tech_certificates_cumulative|累计取得专业技术人员资格证书人数|Persons holding professional and technical qualification certificates, cumulative|F|t
prof_tech_certificates_issued|当年取得专业技术人员资格证书人数|Professional and technical qualification certificates obtained in the year|F|t
prof_tech_exam_applicants|专业技术人员资格考试报名人数|Applicants for professional and technical qualification examinations|F|t
proposal_replies_published_in_full|办理复文全文公开的建议提案件数|Replies to proposals published in full|Cf|g
proposals_handled|承办人大建议和政协提案件数|Deputies' suggestions and CPPCC proposals handled|Cf|g
proposals_key_supervised|列为重点督办的建议提案件数|Suggestions and proposals under key supervision|Cf|g
proposals_party_office_supervised|省委办公厅全程督办的重点建议提案件数|Key suggestions and proposals followed by the provincial Party office|Cf|g
public_institution_open_recruitment|事业单位公开招聘人数|Persons recruited openly by public institutions|F|t
radio_interviews_sunshine946|阳光946广播访谈解读次数|Interviews on Sunshine 946 radio|Cf|g
reemployed_unemployed_persons|失业人员再就业人数|Unemployed persons re-employed|F|e
reemployed_unemployed_persons_growth|失业人员再就业人数增长率|Unemployed persons re-employed: growth|R|e
reemployed_unemployed_persons_target|失业人员再就业年度目标|Unemployed persons re-employed: annual target|L|e
registered_unemployed_persons|城镇登记失业人数|Registered urban unemployed persons|S|e
registered_unemployment_rate|城镇登记失业率|Registered urban unemployment rate|R|e
registered_unemployment_rate_ceiling|城镇登记失业率控制目标|Registered urban unemployment rate: ceiling target|L|e
relocated_employed_persons|易地扶贫搬迁群众已就业人数|Relocated persons in employment|S|e
relocated_households|易地扶贫搬迁入住户数|Households moved into relocation sites|S|e
relocated_persons|易地扶贫搬迁入住人数|Persons moved into relocation sites|S|e
relocated_persons_with_labour|易地扶贫搬迁有劳动力家庭人数|Relocated persons in households with labour|S|e
relocation_site_employment_promoted|安置小区累计促进就业人次|Employment placements promoted at relocation sites|F|e
relocation_site_service_centres|安置小区就业创业服务中心（点）数|Employment service centres at relocation sites|Cs|e
resident_medical_insurance_participants|城乡居民基本医疗保险参保人数|Urban and rural residents' medical insurance participants|S|s
resident_medical_insurance_participants_growth|城乡居民基本医疗保险参保人数增长率|Residents' medical insurance participants: growth|R|s
resident_pension_participants|城乡居民基本养老保险参保人数|Urban and rural residents' basic pension insurance participants|S|s
resident_pension_participants_change|城乡居民基本养老保险参保人数比上年末增加|Residents' basic pension insurance participants: increase since the previous year end|F|s
resident_pension_participants_growth|城乡居民基本养老保险参保人数增长率|Residents' basic pension insurance participants: growth|R|s
returned_overseas_students|当年留学回国人数|Students returning from study abroad in the year|F|t
returned_overseas_students_cumulative|累计留学回国人数|Students returned from study abroad, cumulative|F|t
rural_dibao_recipients|农村居民最低生活保障人数|Rural residents receiving the minimum living allowance (dibao)|S|s
rural_dibao_recipients_growth|农村居民最低生活保障人数增长率|Rural dibao recipients: growth|R|s
rural_labour_trained_cumulative|培训农村劳动力人数（期间累计）|Rural workers trained (period total)|F|e
rural_labour_transfer|农村劳动力转移就业人数|Rural labour transferred to non-farm employment|F|e
rural_public_welfare_posts|乡村公益性岗位在岗贫困劳动力人数|Poor workers in rural public-welfare posts|S|e
sanzhi_yifu_graduates|选派高校毕业生从事“三支一扶”人数|Graduates placed in the "three supports and one assistance" programme|F|t
si_agencies|县级及以上社会保险经办机构数|Social insurance agencies at county level and above|Cs|s
si_agency_staff|社会保险经办机构实有工作人员数|Staff of social insurance agencies|S|s
skilled_workers_total|技能劳动者总量|Skilled workers, total|S|t
skills_upgrade_funds_used|累计使用技能提升行动专项资金|Skills-upgrading campaign funds used|F|e
social_insurance_fee_reduction|全年降低社会保险费|Reduction of social insurance contributions|F|s
social_insurance_service_items|省本级社会保险公共服务事项数|Provincial-level social insurance public service items|Cs|g
special_govt_allowance_experts|享受政府特殊津贴专家人数（累计）|Experts receiving the special government allowance, cumulative|F|t
ss_card_coverage|社会保障卡普及率|Social security card coverage rate|R|s
ss_card_holders|社会保障卡持卡人数|Social security card holders|S|s
surveyed_unemployment_rate|城镇调查失业率|Surveyed urban unemployment rate|R|e
surveyed_unemployment_rate_25_59|25-59岁人口调查失业率|Surveyed unemployment rate, persons aged 25-59|R|e
surveyed_unemployment_rate_31cities|31个大城市城镇调查失业率|Surveyed urban unemployment rate, 31 large cities|R|e
technical_school_students|技工院校在校学生人数|Students enrolled in technical schools|S|t
technical_schools|技工院校数|Technical schools|Cs|t
three_si_fund_balance|三项社会保险基金累计结余|Three social insurance funds (pension, unemployment, work injury): accumulated balance|S|s
three_si_fund_expenditure|三项社会保险基金支出合计|Three social insurance funds: total expenditure|F|s
three_si_fund_expenditure_growth|三项社会保险基金支出增长率|Three social insurance funds: expenditure growth|R|s
three_si_fund_income|三项社会保险基金收入合计|Three social insurance funds: total income|F|s
three_si_fund_income_growth|三项社会保险基金收入增长率|Three social insurance funds: income growth|R|s
unemployment_insurance_beneficiaries|年末领取失业保险金人数|Persons receiving unemployment insurance benefits at year end|S|s
unemployment_insurance_fund_balance|失业保险基金累计结余|Unemployment insurance fund: accumulated balance|S|s
unemployment_insurance_fund_expenditure|失业保险基金支出|Unemployment insurance fund: expenditure|F|s
unemployment_insurance_fund_income|失业保险基金收入|Unemployment insurance fund: income|F|s
unemployment_insurance_participants|失业保险参保人数|Unemployment insurance participants|S|s
unemployment_insurance_participants_growth|失业保险参保人数增长率|Unemployment insurance participants: growth|R|s
unemployment_subsidy_amount|累计发放失业补助金|Unemployment subsidies paid|F|s
unemployment_subsidy_beneficiaries|失业补助金惠及人数|Persons receiving unemployment subsidies|F|s
urban_basic_pension_fund_contribution_income|城镇基本养老保险基金征缴收入|Urban basic pension fund: contribution income|F|s
urban_basic_pension_fund_expenditure|城镇基本养老保险基金总支出|Urban basic pension fund: total expenditure|F|s
urban_basic_pension_fund_income|城镇基本养老保险基金总收入|Urban basic pension fund: total income|F|s
urban_dibao_recipients|城市居民最低生活保障人数|Urban residents receiving the minimum living allowance (dibao)|S|s
urban_dibao_recipients_growth|城市居民最低生活保障人数增长率|Urban dibao recipients: growth|R|s
urban_employee_pension_contributing_workers|城镇职工基本养老保险参保职工人数|Urban employees' basic pension insurance: contributing workers|S|s
urban_employee_pension_fund_balance|城镇职工基本养老保险基金累计结存|Urban employees' basic pension fund: accumulated balance|S|s
urban_employee_pension_fund_expenditure|城镇职工基本养老保险基金支出|Urban employees' basic pension fund: expenditure|F|s
urban_employee_pension_fund_income|城镇职工基本养老保险基金收入|Urban employees' basic pension fund: income|F|s
urban_employee_pension_participants|城镇职工基本养老保险参保人数|Urban employees' basic pension insurance participants|S|s
urban_employee_pension_participants_change|城镇职工基本养老保险参保人数比上年末增加|Urban employees' pension participants: increase since the previous year end|F|s
urban_employee_pension_participants_growth|城镇职工基本养老保险参保人数增长率|Urban employees' pension participants: growth|R|s
urban_employee_pension_retirees|城镇职工基本养老保险参保离退休人数|Urban employees' basic pension insurance: retirees|S|s
urban_employment_share|城镇就业人员占全部就业人员比重|Urban share of employed persons|Q|e
urban_new_jobs|城镇新增就业人数|New urban jobs|F|e
urban_new_jobs_cumulative|城镇新增就业人数（期间累计）|New urban jobs (period total)|F|e
urban_new_jobs_growth|城镇新增就业人数增长率|New urban jobs: growth|R|e
urban_new_jobs_target|城镇新增就业年度目标|New urban jobs: annual target|L|e
urban_new_jobs_target_completion|城镇新增就业目标完成率|New urban jobs: share of the annual target achieved|R|e
urban_pension_contributing_workers|城镇基本养老保险参保职工人数|Urban basic pension insurance: contributing workers|S|s
urban_pension_retirees|城镇基本养老保险参保离退休人数|Urban basic pension insurance: retirees|S|s
urban_public_welfare_posts|城镇公益性岗位在岗就业困难人员人数|Persons with employment difficulties in urban public-welfare posts|S|e
vacancy_to_jobseeker_ratio_q4|岗位空缺与求职人数比率（第四季度）|Ratio of vacancies to job seekers (fourth quarter)|Q|e
vocational_training_employment_skills|就业技能培训人次|Employment-skills training|F|t
vocational_training_entrepreneurship|创业培训人次|Entrepreneurship training|F|t
vocational_training_post_skills|岗位技能提升培训人次|On-the-job skills-upgrading training|F|t
vocational_training_total|各类职业培训人次|Vocational training of all kinds|F|t
wechat_columns|厅官方微信平台栏目数|Columns on the department's WeChat account|Cs|g
wechat_fixed_policy_items|微信平台人社政策固定信息项数|Fixed policy items on the department's WeChat account|Cs|g
wechat_issues_pushed|官方微信推送期数|Issues pushed on the department's WeChat account|Cf|g
wechat_items_pushed|官方微信推送信息条数|Items pushed on the department's WeChat account|Cf|g
wechat_menus|厅官方微信平台菜单数|Menus on the department's WeChat account|Cs|g
work_injury_insurance_beneficiaries|享受工伤保险待遇人数|Persons receiving work-injury insurance benefits|F|s
work_injury_insurance_fund_balance|工伤保险基金累计结余（含储备金）|Work-injury insurance fund: accumulated balance (incl. reserve)|S|s
work_injury_insurance_fund_expenditure|工伤保险基金支出|Work-injury insurance fund: expenditure|F|s
work_injury_insurance_fund_income|工伤保险基金收入|Work-injury insurance fund: income|F|s
work_injury_insurance_participants|工伤保险参保人数|Work-injury insurance participants|S|s
work_injury_insurance_participants_growth|工伤保险参保人数增长率|Work-injury insurance participants: growth|R|s
workers_returned_in_organized_transport|组织集中返岗人次|Workers returned to jobs in organised transport|F|e
working_age_population_16_59|16-59周岁劳动年龄人口|Working-age population aged 16-59|S|e
workshop_absorbed_employment|帮扶车间累计吸纳就业人数|Employment absorbed by assistance workshops|F|e
zero_employment_households_helped|帮助零就业家庭实现每户至少一人就业户数|Zero-employment households helped to at least one job|F|e
"""
