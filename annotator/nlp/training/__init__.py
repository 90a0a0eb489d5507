"""Training our spaCy components on the team's gold, with spaCy's own config system and loop.

- `tagger`: `annotator_span_tagger`, a trainable component tagging one layer's parts (quotes:
  content, cue, source; events: typed triggers) as spans, which our rule components assemble;
- `features`: what that tagger sees of each token (`annotator.ParseEmbed.v1`);
- `corpus`: training data on disk, each article analysed once by the base pipeline
  (`annotator.Corpus.v1`);
- `config`: the training config, templated in code and written beside each model;
- `run`: one training run, and the trained components put into the base pipeline.

Importing the package registers the factory, the architecture, the reader and the batcher.
"""

from . import config, corpus, features, tagger  # noqa: F401  (registrations)
