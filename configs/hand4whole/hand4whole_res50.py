# Hand4Whole with the reference schedule (spec §1.1, §7.1). Datasets are
# added by the dataset configs; the stage recipes build on this file.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/models/hand4whole_res50.py',
    '../_base_/schedules/adam_step_7e.py',
]
