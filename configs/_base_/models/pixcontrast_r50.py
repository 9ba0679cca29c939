# PixContrast with ResNet-50: the encoder of pixel_encoder_r50.py (PixPro's
# backbone, projector and momentum target, docs/recipe.md, "Model"), with
# the pixel contrastive head instead of the PPM and the consistency loss.
_base_ = './pixel_encoder_r50.py'

model = dict(
    type='PixContrast',
    head=dict(
        type='PixContrastHead',
        temperature=0.3,  # tau of the InfoNCE
        pos_threshold=0.7,  # T
        chunk_size=None))  # e.g. 1024 for large feature maps: linear memory
