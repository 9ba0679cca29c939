# The recipe's optimiser (docs/recipe.md, "Optimisation"): LARS on SGD with
# momentum 0.9, trust coefficient 0.001, eps 1e-8, weight decay 1e-5, 1-D
# parameters (biases, norms) excluded from weight decay and adaptation; lr
# 4.0 for a total batch of 1024. The schedules that take it set the
# optimiser wrapper, the lr schedule and the length of training.
optim_wrapper = dict(
    optimizer=dict(
        type='PixProLARS',
        lr=4.0,
        momentum=0.9,
        weight_decay=1e-5,
        eta=0.001,
        eps=1e-8,
        exclude_1d=True))
