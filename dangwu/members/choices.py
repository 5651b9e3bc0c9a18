"""Enumerations of the members domain (DOMAIN.md glossary). Pure: no database."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Status(models.TextChoices):
    """Party status (MEM-STATUS): five stages on the way, then terminal states."""

    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")
    PROBATION_CANCELLED = "probation_cancelled", _("取消预备党员资格")
    SUSPENDED = "suspended", _("停止党籍")
    LEFT = "left", _("已出党")
    DECEASED = "deceased", _("已去世")


MEMBER_STATUSES = frozenset({Status.PROBATIONARY, Status.FULL})
PIPELINE_STATUSES = frozenset({Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE})
TERMINAL_STATUSES = frozenset(
    {Status.PROBATION_CANCELLED, Status.SUSPENDED, Status.LEFT, Status.DECEASED}
)


class LeaveKind(models.TextChoices):
    """How a person left the Party (status ``left``)."""

    REMOVED = "removed", _("除名")
    ADVISED = "advised", _("劝退")
    WITHDREW = "withdrew", _("退党")
    SELF_WITHDRAWAL = "self_withdrawal", _("自行脱党")
    EXPELLED = "expelled", _("开除党籍")


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("警告")
    SERIOUS_WARNING = "serious_warning", _("严重警告")
    REMOVAL_FROM_POST = "removal_from_post", _("撤销党内职务")
    PROBATION_WITHIN_PARTY = "probation_within_party", _("留党察看")
    EXPULSION = "expulsion", _("开除党籍")


class Education(models.TextChoices):
    """Education levels of the yearly statistics (DOMAIN.md §12)."""

    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中专")
    HIGH_SCHOOL = "high_school", _("高中")
    JUNIOR_OR_BELOW = "junior_or_below", _("初中及以下")


class Occupation(models.TextChoices):
    """Occupations of the yearly statistics (DOMAIN.md §12)."""

    WORKER = "worker", _("工人")
    FARMER = "farmer", _("农牧渔民")
    PROFESSIONAL = "professional", _("专业技术人员")
    MANAGER = "manager", _("管理人员")
    CIVIL_SERVANT = "civil_servant", _("党政机关工作人员")
    STUDENT = "student", _("学生")
    OTHER = "other", _("其他职业")
    RETIRED = "retired", _("离退休")


class DuesCategory(models.TextChoices):
    """Which DUES-* rule computes a member's dues (党费规定 第一至六条)."""

    EMPLOYEE = "employee", _("在职职工")
    ANNUAL_SALARY = "annual_salary", _("年薪制人员")
    SELF_EMPLOYED = "self_employed", _("无固定工资收入人员")
    RETIREE = "retiree", _("离退休人员")
    FARMER = "farmer", _("农民")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("下岗失业人员")
    RELIEF = "relief", _("依靠救济或低保生活人员")
