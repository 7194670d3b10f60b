"""manage.py export_volunteers --as USERNAME [--area CODE] [--status STATUS]
    --format csv|xlsx --output FILE

Writes the volunteers that USERNAME may see, with the headers the import reads; --status
(active, inactive, resigned, removed, deceased) keeps only those of that status. The other
options and checks are those of export_households.
"""

from django.utils.translation import gettext_lazy

from carenet.spreadsheets.exporting import Dataset
from carenet.spreadsheets.management.commands import export_households


class Command(export_households.Command):
    help = "Exports the volunteers in a user's scope."
    dataset = Dataset.VOLUNTEERS
    words = gettext_lazy("volunteers")
