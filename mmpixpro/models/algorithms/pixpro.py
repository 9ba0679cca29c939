"""PixPro: pixel-to-propagation consistency ("Propagate Yourself", CVPR 2021).

The method is described in docs/recipe.md ("Model", "Loss", "Instance
branch").
"""
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from mmpixpro.registry import MODELS
from ..data_preprocessors.photometric import check_photometric_applied
from ..utils.momentum import CosineMomentumEMA


class EncoderOutput(NamedTuple):
    """What ``PixelEncoder`` returns for one batch of views.

    Attributes:
        pixels: the pixel projections, one (N, C, H_l, W_l) map per loss
            level: the projected C5 alone for plain PixPro, one map per
            entry of ``levels`` (each with its level's H, W) with an FPN.
        instance: the (N, C, H, W) instance projection of the backbone's
            last output, or None without the instance branch.
    """
    pixels: Tuple[torch.Tensor, ...]
    instance: Optional[torch.Tensor]


class OptionalModules:
    """``with_*`` properties of the modules an encoder may go without.

    A module that is off is absent (no attribute, no state-dict keys), not
    None, so checkpoints of the plain model carry no empty entries.
    """

    @property
    def with_fpn(self) -> bool:
        return hasattr(self, 'fpn')

    @property
    def with_towers(self) -> bool:
        return hasattr(self, 'towers')

    @property
    def with_instance_branch(self) -> bool:
        return hasattr(self, 'instance_neck')


class PixelEncoder(OptionalModules, nn.Module):
    """The part the target network copies: the backbone, then the pixel
    projector on the backbone's last output; or, with ``fpn``, the FPN, the
    shared ``towers`` (optional) on each of its outputs in ``levels``, and
    the projector on each of those levels. The instance projector (when the
    instance branch is on) always takes the backbone's last output.

    ``forward(img)`` returns an :class:`EncoderOutput`.
    """

    def __init__(self,
                 backbone: nn.Module,
                 neck: nn.Module,
                 instance_neck: Optional[nn.Module] = None,
                 fpn: Optional[nn.Module] = None,
                 towers: Optional[nn.Module] = None,
                 levels: Sequence[int] = ()) -> None:
        super().__init__()
        self.backbone = backbone
        if fpn is not None:
            self.fpn = fpn
        if towers is not None:
            self.towers = towers
        self.neck = neck
        if instance_neck is not None:
            self.instance_neck = instance_neck
        self.levels = tuple(levels)

    def level_maps(self, feats: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """Backbone outputs -> the maps the projector takes, one per loss
        level: the last output alone, or the FPN outputs in ``levels``
        (through the towers when there are some)."""
        if not self.with_fpn:
            return list(feats[-1:])
        outs = self.fpn(feats)
        outs = [outs[i] for i in self.levels]
        return list(self.towers(outs)) if self.with_towers else outs

    def forward(self, img: torch.Tensor) -> EncoderOutput:
        feats = self.backbone(img)
        pixels = tuple(self.neck(self.level_maps(feats)))
        instance = (self.instance_neck(feats[-1:])[0]
                    if self.with_instance_branch else None)
        return EncoderOutput(pixels, instance)


@MODELS.register_module()
class PixPro(OptionalModules, BaseSelfSupervisor):
    """PixPro pre-training.

    Online: backbone -> ``neck`` (per-pixel projector) -> ``head`` (PPM and
    the pixel loss). Target: a momentum copy of backbone and projector
    (``target_net``), updated at the top of every ``loss()`` before the target
    features are computed. Optional instance branch (``instance_loss_weight >
    0``): its own projector (``instance_neck``, also averaged into the
    target) and a predictor with a BYOL-style loss (``instance_head``).

    Head network pre-training (``fpn``): backbone -> FPN -> optional shared
    ``towers`` (an FCOS-style head's convolutions) -> projector, on each FPN
    output in ``levels``; the target copies all of it. One projector and one
    head (one PPM) serve every level. The pixel loss is computed per level
    on that level's maps, so each level has its own feature grid and its own
    positive mask from the same crop boxes, and ``loss_pixel`` is the
    weighted mean of the level losses with the weights normalised to sum 1
    (the optimum stays -4). Each level's loss is also logged, as
    ``pixel_p3`` ... (no "loss" in the name: mmengine sums every key that
    has one). Plain PixPro is the same computation with one level, C5, of
    weight 1, and logs no level keys.

    ``loss(inputs, data_samples)``: ``inputs`` is the list of the two view
    batches, each (N, 3, H, W); every data sample carries ``coord``, a (2, 4)
    tensor with the crop box of each view. Losses of the two directions are
    summed: the pixel optimum is -4.

    Args:
        backbone, neck, head: configs of the backbone, the pixel projector
            and the ``PixProHead``.
        instance_neck, instance_head: configs of the instance branch, built
            only when ``instance_loss_weight > 0``. The instance projector
            takes the backbone's last output, also with an FPN.
        instance_loss_weight: lambda; 0 turns the branch off.
        base_momentum: tau at the first iteration (cosine to 1 at the end).
        fpn: config of an FPN (e.g. ``type='mmdet.FPN'``) on the backbone's
            outputs; None (the default) is plain PixPro on the last output.
        towers: config of the towers applied to each level (``ConvTower``);
            needs ``fpn``.
        levels: indices of the FPN outputs that get the loss; None: all.
            Parameters that only feed left-out levels get no gradient.
        level_weights: one weight >= 0 per level, normalised to sum 1;
            None: equal weights.
        channels_last: keep every 4-D weight of the online and target
            networks, and the input views, in channels-last (NHWC) memory
            layout. Same values and gradients to fp32 round-off; faster
            convolutions on GPUs with tensor cores (see ``docs/speed.md``).
        compile_encoder: ``torch.compile`` the backbone of the online and
            the target network in place (``nn.Module.compile``; parameter
            names and checkpoints are unchanged). False (default), True,
            or a dict of ``torch.compile`` keyword arguments.
    """

    # State-dict key fragment -> the config option that adds or removes
    # those keys; PixProRunner names the option when a checkpoint does not
    # fit (see mmpixpro/engine/runner/strict_loading.py).
    checkpoint_key_options = (
        ('value_transform', 'model.head.predictor.num_transform_layers'),
        ('instance_', 'model.instance_loss_weight (the instance branch)'),
    )

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 instance_neck: Optional[dict] = None,
                 instance_head: Optional[dict] = None,
                 instance_loss_weight: float = 0.,
                 base_momentum: float = 0.99,
                 fpn: Optional[dict] = None,
                 towers: Optional[dict] = None,
                 levels: Optional[Sequence[int]] = None,
                 level_weights: Optional[Sequence[float]] = None,
                 channels_last: bool = False,
                 compile_encoder: Union[bool, dict] = False,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if fpn is not None:
            self.fpn = MODELS.build(fpn)
            self.levels, self.level_weights = self._check_levels(
                levels, level_weights)
            self.level_names = self._name_levels()
            if towers is not None:
                self.towers = MODELS.build(towers)
        elif (towers, levels, level_weights) != (None, None, None):
            raise ValueError('PixPro: towers, levels and level_weights need '
                             'an fpn')
        else:  # one level, C5, and no per-level logs
            self.levels, self.level_weights, self.level_names = (), (1., ), ()
        self.level_log_keys = tuple(f'pixel_{n}' for n in self.level_names)
        if instance_loss_weight < 0:
            raise ValueError('PixPro: instance_loss_weight must be >= 0, got '
                             f'{instance_loss_weight!r}')
        self.instance_loss_weight = float(instance_loss_weight)
        if self.instance_loss_weight > 0:
            if instance_neck is None or instance_head is None:
                raise ValueError(
                    'PixPro: instance_loss_weight > 0 needs both '
                    'instance_neck and instance_head configs')
            self.instance_neck = MODELS.build(instance_neck)
            self.instance_head = MODELS.build(instance_head)
        self.target_net = CosineMomentumEMA(
            self.online_encoder(), base_momentum=base_momentum)
        if channels_last:  # init and checkpoint loads copy in place
            self.to(memory_format=torch.channels_last)
        self.channels_last = bool(channels_last)
        if compile_encoder:
            if not isinstance(compile_encoder, dict):
                compile_encoder = {}
            self.backbone.compile(**compile_encoder)
            self.target_net.module.backbone.compile(**compile_encoder)

    def _check_levels(self, levels, weights) -> Tuple[tuple, tuple]:
        """``levels`` (all FPN outputs when None) and their weights
        normalised to sum 1 (equal when None); ValueError if invalid."""
        num_outs = getattr(self.fpn, 'num_outs', None)
        if levels is None:
            if num_outs is None:
                raise ValueError('PixPro: set levels (this fpn has no '
                                 'num_outs)')
            levels = range(num_outs)
        levels = tuple(int(i) for i in levels)
        if (not levels or len(set(levels)) < len(levels) or
                any(i < 0 or (num_outs is not None and i >= num_outs)
                    for i in levels)):
            raise ValueError('PixPro: levels must be distinct indices of '
                             f'the {num_outs} FPN outputs, got {levels!r}')
        weights = (1., ) * len(levels) if weights is None else tuple(
            float(w) for w in weights)
        if (len(weights) != len(levels) or any(w < 0 for w in weights)
                or not sum(weights) > 0):
            raise ValueError('PixPro: level_weights must be one weight >= 0 '
                             f'per level (levels {levels!r}), not all 0, '
                             f'got {weights!r}')
        return levels, tuple(w / sum(weights) for w in weights)

    def _name_levels(self) -> Tuple[str, ...]:
        """``('p3', 'p4', ...)``: FPN output i is P(k + i) with C(k) the
        FPN's first input (ResNet stage 0 is C2); ``level{i}`` when the
        backbone or FPN does not tell."""
        try:
            first = (2 + min(self.backbone.out_indices) +
                     self.fpn.start_level)
        except (AttributeError, TypeError, ValueError):
            return tuple(f'level{i}' for i in self.levels)
        return tuple(f'p{first + i}' for i in self.levels)

    def online_encoder(self) -> PixelEncoder:
        """The online modules the target averages (shares their weights)."""
        return PixelEncoder(
            self.backbone,
            self.neck,
            instance_neck=(self.instance_neck
                           if self.with_instance_branch else None),
            fpn=self.fpn if self.with_fpn else None,
            towers=self.towers if self.with_towers else None,
            levels=self.levels)

    def init_weights(self) -> None:
        """Initialise the online network, then start the target as its copy.

        The Runner calls this before it loads any checkpoint, so a loaded
        target (``load_from``, ``--resume``) is never overwritten.
        """
        super().init_weights()
        self.target_net.copy_from(self.online_encoder())

    def project_views(
        self, inputs: List[torch.Tensor], data_samples: List[DataSample]
    ) -> Tuple[List[EncoderOutput], List[EncoderOutput], Tuple[torch.Tensor,
                                                               torch.Tensor]]:
        """Online and target projections of both views, and their boxes.

        Updates the target network first, then computes its features.

        Returns:
            ``(online, target, boxes)``: ``online[v]`` and ``target[v]`` are
            the :class:`EncoderOutput` of view v (target ones without
            gradient); ``boxes[v]`` is the (N, 4) crop boxes of view v.
        """
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            got = len(inputs) if isinstance(inputs, (list, tuple)) else type(
                inputs).__name__
            raise ValueError(f'{type(self).__name__}.loss expects inputs as '
                             f'a list of the two view batches, got {got}')
        boxes = torch.stack([s.coord for s in data_samples]).to(inputs[0])
        boxes = (boxes[:, 0], boxes[:, 1])  # (N, 4) per view
        if self.channels_last:
            inputs = [
                view.contiguous(memory_format=torch.channels_last)
                for view in inputs
            ]

        online_encoder = self.online_encoder()
        online = [online_encoder(view) for view in inputs]
        with torch.no_grad():
            self.target_net.update_parameters(online_encoder)
            target = [self.target_net(view) for view in inputs]
        return online, target, boxes

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        check_photometric_applied(data_samples, self.data_preprocessor)
        (online1, online2), (target1, target2), (boxes1, boxes2) = (
            self.project_views(inputs, data_samples))
        # Per level, on that level's grid: view 1's pixels predict view 2's
        # target pixels, and view 2's predict view 1's.
        level_losses = [
            self.head.loss(o1, t2, boxes1, boxes2) +
            self.head.loss(o2, t1, boxes2, boxes1)
            for o1, o2, t1, t2 in zip(online1.pixels, online2.pixels,
                                      target1.pixels, target2.pixels)
        ]
        losses = dict(loss_pixel=sum(
            w * loss for w, loss in zip(self.level_weights, level_losses)))
        losses.update((key, loss.detach())
                      for key, loss in zip(self.level_log_keys, level_losses))
        if self.with_instance_branch:
            loss_instance = (
                self.instance_head.loss(online1.instance, target2.instance) +
                self.instance_head.loss(online2.instance, target1.instance))
            losses['loss_instance'] = self.instance_loss_weight * loss_instance
        return losses
