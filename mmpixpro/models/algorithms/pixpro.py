"""PixPro: pixel-to-propagation consistency ("Propagate Yourself", CVPR
2021), described in docs/recipe.md ("Model", "Loss", "Instance branch")."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.structures import DataSample

from mmpixpro.registry import MODELS
from ..data_preprocessors.photometric import check_photometric_applied
from ..utils.fpn_levels import check_levels, level_names
from ..utils.momentum import CosineMomentumEMA
from .pixel_encoder import EncoderOutput, OptionalModules, PixelEncoder


@MODELS.register_module()
class PixPro(OptionalModules, BaseSelfSupervisor):
    """PixPro.

    Implementation of `Propagate Yourself: Exploring Pixel-Level Consistency
    for Unsupervised Visual Representation Learning
    <https://arxiv.org/abs/2011.10043>`_. The maths is in docs/recipe.md.

    Online: backbone -> ``neck`` (per-pixel projector) -> ``head`` (PPM and
    pixel consistency loss); the target (``target_net``) is a momentum copy
    of backbone and projector, updated at the top of every ``loss()``. Each
    data sample carries ``coord``, the (2, 4) crop boxes of its views. The
    two directions are summed (optimum -4) as ``loss_pixel``; the instance
    branch adds ``loss_instance``. With ``fpn`` (docs/pretraining.md,
    "Head-network pre-training") each FPN output in ``levels`` is a loss
    level (towers, projector, the one head); ``loss_pixel`` is the weighted
    mean of the levels, each logged as ``pixel_p3`` ... (no "loss" in the
    name, so mmengine does not sum it).

    Args:
        backbone (dict): Config of the backbone.
        neck (dict): Config of the pixel projector (``PixelProjector``).
        head (dict): Config of the head (``PixProHead``).
        instance_neck (dict, optional): Config of the instance projector, on
            the backbone's last output. Defaults to None.
        instance_head (dict, optional): Config of the instance head
            (``InstanceConsistencyHead``). Defaults to None.
        instance_loss_weight (float): lambda, >= 0; 0 builds no instance
            branch. Defaults to 0.
        base_momentum (float): tau at the first iteration, cosine to 1 at
            the end. Defaults to 0.99.
        fpn (dict, optional): Config of an FPN on the backbone's outputs
            (e.g. ``type='mmdet.FPN'``); None is plain PixPro on the last
            output. Defaults to None.
        towers (dict, optional): Config of the towers on each level
            (``ConvTower``); needs ``fpn``. Defaults to None.
        levels (Sequence[int], optional): FPN outputs that get the loss;
            None: all. Defaults to None.
        level_weights (Sequence[float], optional): One weight >= 0 per level,
            normalised to sum 1; None: equal. Defaults to None.
        channels_last (bool): Keep the 4-D weights and the views in
            channels-last layout (docs/speed.md). Defaults to False.
        compile_encoder (bool | dict): ``torch.compile`` the online and
            target backbones in place; a dict holds its keyword arguments.
            Defaults to False.
        pretrained (str, optional): The pretrained checkpoint path. Defaults
            to None.
        data_preprocessor (dict, optional): Config of the data
            preprocessor. Defaults to None.
        init_cfg (dict, optional): Initialization config dict. Defaults to
            None.
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
            self.levels, self.level_weights = check_levels(
                'PixPro', self.fpn, levels, level_weights)
            self.level_names = level_names(self.backbone, self.fpn,
                                           self.levels)
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
        """Online and target projections of both views, and their boxes;
        the arguments are those of :meth:`loss`.

        Updates the target network first, then computes its features.

        Returns:
            tuple: ``(online, target, boxes)``: ``online[v]`` and
            ``target[v]`` are the :class:`EncoderOutput` of view v (target
            ones without gradient); ``boxes[v]`` is the (N, 4) crop boxes of
            view v.
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
        """The pixel loss (and the instance loss) of a batch of view pairs.

        Args:
            inputs (List[torch.Tensor]): The two (N, 3, H, W) view batches.
            data_samples (List[DataSample]): One per image, with ``coord``.

        Returns:
            Dict[str, torch.Tensor]: ``loss_pixel``, the level logs, and
            ``loss_instance`` with the instance branch.
        """
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
