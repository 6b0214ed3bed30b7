"""`bmzcard track`: measure a command's energy and emissions offline, for the card.

`choose_location` says where the machine is (never guessed), `run_tracked`
runs the command under codecarbon's offline tracker and returns the record
written as ``bmzcard-track.json``; `track_facts` (read by `bmzcard.sources.records`)
turns a record into card facts.
"""

from bmzcard.sources.records.track import TRACK_RECORD, track_facts
from bmzcard.track.location import Location, choose_location
from bmzcard.track.run import run_tracked

__all__ = ["TRACK_RECORD", "Location", "choose_location", "run_tracked", "track_facts"]
