"""The load-error hint comes from the model's own table of state-dict key
fragments and the config options that add them."""
from mmpixpro.engine.runner.strict_loading import mismatch_hint
from mmpixpro.models import PixContrast, PixPro

MISSING_PPM = ('Missing key(s) in state_dict: '
               '"head.predictor.value_transform.linear1.weight"')
UNEXPECTED_INSTANCE = ('Unexpected key(s) in state_dict: '
                       '"instance_neck.linear1.weight"')


def test_pixpro_names_the_options():
    assert mismatch_hint(PixPro, MISSING_PPM) == (
        ' (check model.head.predictor.num_transform_layers)')
    assert mismatch_hint(PixPro, f'{MISSING_PPM}\n{UNEXPECTED_INSTANCE}') == (
        ' (check model.head.predictor.num_transform_layers and '
        'model.instance_loss_weight (the instance branch))')
    assert mismatch_hint(PixPro, 'Missing key(s): "backbone.conv1.weight"') \
        == ''


def test_models_without_those_options_get_no_hint():
    # PixContrast has no PPM and no instance branch; a model without a
    # table (e.g. mmpretrain's BYOL) gets none either.
    assert mismatch_hint(PixContrast, UNEXPECTED_INSTANCE) == ''
    assert mismatch_hint(object(), MISSING_PPM) == ''
