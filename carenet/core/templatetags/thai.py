"""Template filters for Thai dates: {{ day|be_date }} -> 26 ก.พ. 2568."""

from django import template

from carenet.core import citizen_id, thaidate

register = template.Library()

register.filter("be_date", thaidate.format_short)
register.filter("be_long", thaidate.format_long)
register.filter("be_numeric", thaidate.format_numeric)
register.filter("be_datetime", thaidate.format_datetime)
register.filter("citizen_id_masked", citizen_id.masked)
