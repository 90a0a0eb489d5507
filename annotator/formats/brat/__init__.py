"""brat standoff: a folder with NAME.txt and an .ann per annotation set of it.

`reader` reads brat corpora as they come (what each line becomes, what is skipped and reported);
`writer` writes a folder brat opens as it is. Round trip: what we write reads back the same.

Not carried: the set's kind and status (an .ann imports as a submitted annotator set, or as
`--as` says), attrs of entities, attr names or values with spaces (refused on export), entity
labels Attribution/Content/Cue/Source, and discontinuous entities, cues, sources or triggers
(skipped and reported on import).
"""

from __future__ import annotations

from ..base import Format
from .layout import sniff_folder
from .reader import read
from .writer import file_stem, to_ann, write

__all__ = ["FORMAT", "file_stem", "read", "to_ann", "write"]

FORMAT = Format(
    "brat",
    "brat standoff: a folder of NAME.txt with NAME.ann or NAME_<annotator>.ann",
    suffixes=(".ann",),
    read=read,
    write=write,
    sniff_folder=sniff_folder,
    folder_suffixes=(".ann", ".txt", ".conf"),
    media_type="application/zip",
    download_suffix=".brat.zip",
    writes_folder=True,
    tokens=False,
)
