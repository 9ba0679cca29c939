import pytest


@pytest.fixture(scope='session')
def pretrained(main_job):
    """Paths of a pre-training checkpoint and its extracted backbone, as the
    README's main job made them: the released R50 recipe for 2 steps with
    tools/train.py, then extract_backbone_weights.py (its transfer check).
    Every downstream test starts from these files."""
    work = main_job['work']
    return dict(checkpoint=str(work / 'pixpro_r50' / 'epoch_1.pth'),
                backbone=str(work / 'pixpro_r50_backbone.pth'))
