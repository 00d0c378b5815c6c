#!/usr/bin/python3
"""Generates the reference data of the C++ layer tests, and the weights of the MIL example.

    /usr/bin/python3 tests/reference/generate.py        (needs python3-torch, python3-numpy)

For each configuration in CONFIGS it draws non-trivial random weights and inputs (rounded to
float32 and stored as float64, so the float and the double C++ layers see exactly the same
numbers), runs the float64 reference of hopfield_reference.py and writes

    tests/reference/data/<name>/config.txt            options, sizes, expected steps per head
    tests/reference/data/<name>/weights/<key>.npy     one file per state_dict key
    tests/reference/data/<name>/<input>.npy           input / stored / state / projection
    tests/reference/data/<name>/<mask>.npy            stored_pattern_padding_mask, association_mask
    tests/reference/data/<name>/expected_*.npy        output, association, head_outputs, energy

It then trains a small HopfieldPooling classifier on a multiple-instance bit-pattern task and
writes its weights and a few test bags to examples/data/mil_pooling/. Seeded: a re-run writes
bit-identical weights, inputs and masks; the expected values may change in their last bits
(~1e-15 relative: torch's CPU reductions are not bit-reproducible), far below the tests'
tolerances. Torch is a development tool only; the C++ tests read the committed files.
"""

import math
import os
import shutil
import sys

try:
    import numpy as np  # noqa: F401
    import torch
except ImportError:  # e.g. a pyenv python3 first on PATH: use Debian's, which has python3-torch
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hopfield_reference as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(HERE, "data")
MIL_DATA = os.path.join(ROOT, "examples", "data", "mil_pooling")

torch.set_default_dtype(torch.float64)


def f32(t):
    """Rounds to float32 and back: the float C++ layer then sees the same inputs."""
    return t.float().double()


def random_parameters(shapes, gen, gain=1.6):
    """Non-trivial weights: the reference's N(0, 0.02) init makes attention uniform."""
    params = {}
    for key, shape in shapes.items():
        n = torch.randn(shape, generator=gen)
        if key.endswith("norm_weight") or (key.startswith("norm_") or ".norm_" in key) and key.endswith("weight"):
            t = 1.0 + 0.3 * n
        elif key.endswith("bias") and "bias_k" not in key and "bias_v" not in key:
            t = 0.3 * n
        elif key.endswith(("pooling_weights", "lookup_weights", "target_weights", "bias_k", "bias_v")):
            t = n
        else:  # projection matrices
            t = gain * n / math.sqrt(shape[-1])
        params[key] = f32(t)
    return params


def random_mask(kind, shape, gen, p_blocked=0.3):
    blocked = torch.rand(shape, generator=gen) < p_blocked
    if kind == "bool":
        return blocked
    if kind == "uint8":
        return blocked.to(torch.uint8)
    if kind == "additive":  # finite offsets, and -inf where blocked
        add = f32(torch.randn(shape, generator=gen))
        return add.masked_fill(blocked, float("-inf"))
    raise ValueError(kind)


# Each configuration: layer kind, options (hflayers names), sizes, input mode, masks.
#   inputs: "self" (one tensor), "tuple" (stored, state, projection); pooling: "self" or
#   "pair" (stored, projection); lookup: the state only.
#   masks: {"padding": kind, "association": (kind, "LS" | "BHLS")}, and "all_masked" rows.
CONFIGS = [
    dict(name="default_self", layer="hopfield", B=2, L=5, S=5, inputs="self",
         options=dict(input_size=8)),
    dict(name="sizes_multihead_per_head_beta", layer="hopfield", B=3, L=4, S=6, inputs="tuple",
         options=dict(input_size=12, hidden_size=5, output_size=7, pattern_size=3, num_heads=4,
                      stored_pattern_size=10, pattern_projection_size=9,
                      scaling=[0.15, 0.6, 1.1, 2.3])),
    dict(name="update_steps_bounded", layer="hopfield", B=2, L=4, S=6, inputs="tuple",
         options=dict(input_size=8, num_heads=2, update_steps_max=3, update_steps_eps=1e-9,
                      scaling=[0.2, 0.35], normalize_state_pattern_affine=False,
                      normalize_pattern_projection_eps=1e-2)),
    dict(name="update_steps_until_converged", layer="hopfield", B=2, L=3, S=7, inputs="tuple",
         options=dict(input_size=8, num_heads=2, update_steps_max=None, update_steps_eps=3e-4,
                      scaling=[0.25, 0.45])),
    dict(name="hopfield_space_norm", layer="hopfield", B=2, L=4, S=5, inputs="tuple",
         options=dict(input_size=12, hidden_size=4, num_heads=3, normalize_hopfield_space=True,
                      normalize_hopfield_space_affine=True, normalize_hopfield_space_eps=1e-3,
                      normalize_stored_pattern_affine=False, normalize_state_pattern_eps=1e-3,
                      update_steps_max=2, update_steps_eps=1e-9)),
    dict(name="static_all_multihead", layer="hopfield", B=3, L=4, S=5, inputs="tuple",
         options=dict(input_size=8, num_heads=2, stored_pattern_as_static=True,
                      state_pattern_as_static=True, pattern_projection_as_static=True,
                      scaling=[0.7, 1.3])),
    dict(name="static_stored_and_projection", layer="hopfield", B=3, L=4, S=5, inputs="tuple",
         options=dict(input_size=10, hidden_size=4, pattern_size=3, num_heads=2,
                      stored_pattern_size=8, pattern_projection_size=6,
                      stored_pattern_as_static=True, pattern_projection_as_static=True,
                      normalize_hopfield_space=True)),
    dict(name="static_state_fused", layer="hopfield", B=2, L=3, S=6, inputs="tuple",
         options=dict(input_size=8, num_heads=2, state_pattern_as_static=True)),
    dict(name="connected_projection", layer="hopfield", B=2, L=4, S=5, inputs="tuple",
         options=dict(input_size=8, hidden_size=3, num_heads=2, pattern_size=5,
                      stored_pattern_size=6, pattern_projection_size=6,
                      pattern_projection_as_connected=True)),
    dict(name="no_bias_no_out_tanh", layer="hopfield", B=2, L=4, S=4, inputs="self",
         options=dict(input_size=8, num_heads=2, input_bias=False, disable_out_projection=True,
                      association_activation="tanh", normalize_pattern_projection=False)),
    dict(name="no_bias_relu", layer="hopfield", B=2, L=4, S=4, inputs="self",
         options=dict(input_size=8, input_bias=False, association_activation="relu",
                      normalize_stored_pattern=False)),
    dict(name="zero_association_masks", layer="hopfield", B=2, L=4, S=6, inputs="tuple",
         options=dict(input_size=8, num_heads=2, add_zero_association=True, update_steps_max=1),
         masks=dict(padding="bool", association=("additive", "LS"), all_masked=True)),
    dict(name="concat_bias_pattern", layer="hopfield", B=2, L=4, S=5, inputs="tuple",
         options=dict(input_size=8, num_heads=2, concat_bias_pattern=True,
                      add_zero_association=True, normalize_hopfield_space=True,
                      normalize_hopfield_space_affine=True),
         masks=dict(padding="bool")),
    dict(name="masks_per_batch_head", layer="hopfield", B=2, L=4, S=6, inputs="tuple",
         options=dict(input_size=8, num_heads=2, update_steps_max=2, update_steps_eps=1e-9),
         masks=dict(padding="uint8", association=("bool", "BHLS"), all_masked=True)),
    dict(name="batch_first_false", layer="hopfield", B=3, L=4, S=5, inputs="tuple",
         options=dict(input_size=8, num_heads=2, batch_first=False),
         masks=dict(padding="additive", association=("bool", "LS"))),
    dict(name="sparsemax", layer="hopfield", B=2, L=5, S=7, inputs="tuple",
         options=dict(input_size=8, num_heads=2, map="sparsemax", scaling=[0.08, 0.15],
                      update_steps_max=1, update_steps_eps=1e-9),
         masks=dict(padding="bool", all_masked=True)),
    dict(name="entmax_per_head_alpha", layer="hopfield", B=2, L=4, S=6, inputs="tuple",
         options=dict(input_size=8, num_heads=2, map="entmax", alpha=[1.3, 1.8],
                      scaling=[0.3, 0.6], update_steps_max=1),
         masks=dict(association=("bool", "LS"))),
    dict(name="entmax15", layer="hopfield", B=2, L=6, S=6, inputs="self",
         options=dict(input_size=8, map="entmax15", scaling=0.25)),
    dict(name="softmax1", layer="hopfield", B=2, L=4, S=6, inputs="tuple",
         options=dict(input_size=8, num_heads=2, map="softmax1", update_steps_max=1),
         masks=dict(padding="bool", all_masked=True)),
    dict(name="plain_retrieval", layer="hopfield", B=2, L=3, S=6, inputs="tuple",
         options=dict(input_size=8, stored_pattern_as_static=True, state_pattern_as_static=True,
                      pattern_projection_as_static=True, normalize_stored_pattern=False,
                      normalize_state_pattern=False, normalize_pattern_projection=False,
                      disable_out_projection=True, input_bias=False, scaling=1.5,
                      update_steps_max=2, update_steps_eps=1e-9)),
    dict(name="pooling", layer="pooling", B=3, S=6, quantity=3, inputs="self",
         options=dict(input_size=8, num_heads=2, output_size=5, update_steps_max=1),
         masks=dict(padding="bool", association=("bool", "LS"))),
    dict(name="pooling_static_state_seq_first", layer="pooling", B=3, S=5, quantity=2,
         inputs="pair",
         options=dict(input_size=8, num_heads=2, state_pattern_as_static=True, batch_first=False,
                      pattern_projection_size=6)),
    dict(name="lookup", layer="lookup", B=2, L=4, quantity=6, inputs="state",
         options=dict(input_size=8, num_heads=2, update_steps_max=2, update_steps_eps=1e-9)),
    dict(name="lookup_separated_static", layer="lookup", B=3, L=3, quantity=5,
         separated=True, inputs="state",
         options=dict(input_size=8, num_heads=2, stored_pattern_as_static=True,
                      pattern_projection_size=6, scaling=0.5),
         masks=dict(padding="bool")),
]


def save(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, array)


def to_numpy(t):
    return t.detach().cpu().numpy()


def format_value(v):
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ",".join(format_value(x) for x in v)
    if isinstance(v, float):
        return repr(v)
    return str(v)


def generate(cfg, index):
    name = cfg["name"]
    gen = torch.Generator().manual_seed(1000 + index)
    o = ref.resolve(cfg["options"])
    layer = cfg["layer"]
    B, H = cfg["B"], o["H"]
    quantity = cfg.get("quantity", 1)
    separated = cfg.get("separated", False)

    if layer == "hopfield":
        shapes = ref.parameter_shapes(o)
    elif layer == "pooling":
        shapes = ref.pooling_parameter_shapes(o, quantity)
    else:
        shapes = ref.lookup_parameter_shapes(o, quantity, separated)
    params = random_parameters(shapes, gen)

    def seq(n, d):  # batch-major, transposed on disk when batch_first is False
        return f32(torch.randn(B, n, d, generator=gen))

    inputs = {}
    if layer == "hopfield":
        L, S = cfg["L"], cfg["S"]
        if cfg["inputs"] == "self":
            assert L == S and o["Dy"] == o["D"] == o["Dp"]
            inputs["input"] = seq(L, o["D"])
            stored = state = projection = inputs["input"]
        else:
            inputs["stored"] = stored = seq(S, o["Dy"])
            inputs["state"] = state = seq(L, o["D"])
            inputs["projection"] = projection = seq(S, o["Dp"])
    elif layer == "pooling":
        L, S = quantity, cfg["S"]
        if cfg["inputs"] == "self":
            inputs["input"] = stored = projection = seq(S, o["D"])
        else:
            inputs["stored"] = stored = seq(S, o["Dy"])
            inputs["projection"] = projection = seq(S, o["Dp"])
    else:
        L, S = cfg["L"], quantity
        inputs["input"] = state = seq(L, o["D"])

    masks = cfg.get("masks", {})
    padding = association = None
    if "padding" in masks:
        padding = random_mask(masks["padding"], (B, S), gen)
    if "association" in masks:
        kind, layout = masks["association"]
        association = random_mask(kind, (L, S) if layout == "LS" else (B * H, L, S), gen)
    if masks.get("all_masked"):
        # one query row with every stored pattern blocked: the all-masked policy (zeros)
        target = association if association is not None else None
        if target is not None:
            row = target[0] if target.dim() == 2 else target[1, 0]
            row.fill_(float("-inf") if row.dtype.is_floating_point else 1)
        else:  # only a padding mask: block every pattern of batch 1
            padding[1].fill_(1 if not padding.dtype.is_floating_point else float("-inf"))

    def disk(t):  # inputs on disk follow batch_first
        return t if o["batch_first"] else t.transpose(0, 1).contiguous()

    if layer == "hopfield":
        model = ref.Hopfield(cfg["options"], params)
        res = model.forward(disk(stored), disk(state), disk(projection), padding, association)
    elif layer == "pooling":
        model = ref.HopfieldPooling(cfg["options"], params, quantity)
        proj = None if cfg["inputs"] == "self" else disk(projection)
        res = model.forward(disk(stored), proj, padding, association)
    else:
        model = ref.HopfieldLayer(cfg["options"], params, quantity, separated)
        res = model.forward(disk(state), padding, association)

    # The parity test must prove something: attention far from uniform ...
    A = res["association"]
    open_rows = A.sum(-1) > 0
    S_eff = A.shape[-1]
    sharp = A.max(-1).values[open_rows].mean().item()
    assert sharp > 1.8 / S_eff, (name, sharp, 1.8 / S_eff)
    # ... and no update-step decision within 5% of eps (float must take the same decisions).
    for h, diffs in enumerate(res["diffs"]):
        for d in diffs:
            eps = o["update_steps_eps"]
            assert abs(d - eps) > 0.05 * eps, (name, h, d, eps)

    folder = os.path.join(DATA, name)
    for key, t in params.items():
        save(os.path.join(folder, "weights", key + ".npy"), to_numpy(t))
    for key, t in inputs.items():
        save(os.path.join(folder, key + ".npy"), to_numpy(disk(t)))
    if padding is not None:
        save(os.path.join(folder, "stored_pattern_padding_mask.npy"), to_numpy(padding))
    if association is not None:
        save(os.path.join(folder, "association_mask.npy"), to_numpy(association))
    save(os.path.join(folder, "expected_output.npy"), to_numpy(res["output"]))
    save(os.path.join(folder, "expected_association.npy"), to_numpy(res["association"]))
    save(os.path.join(folder, "expected_head_outputs.npy"), to_numpy(res["head_outputs"]))
    save(os.path.join(folder, "expected_energy.npy"), to_numpy(res["energy"]))

    lines = [f"# generated by tests/reference/generate.py: {name}",
             f"layer = {layer}", f"batch = {B}", f"queries = {L}", f"stored = {S}",
             f"inputs = {cfg['inputs']}", f"quantity = {quantity}",
             f"lookup_weights_as_separated = {format_value(separated)}",
             f"expected_steps = {format_value(res['steps'])}"]
    for key in ref.DEFAULTS:
        if key in cfg["options"]:
            lines.append(f"{key} = {format_value(cfg['options'][key])}")
    with open(os.path.join(folder, "config.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{name:34s} steps={res['steps']} sharpness={sharp:.2f} (uniform {1 / S_eff:.2f})")


def self_checks():
    """Properties of the reference itself, checked before anything is written."""
    gen = torch.Generator().manual_seed(7)
    # add_zero_association with softmax == softmax_1 without it
    base = dict(input_size=8, num_heads=2, update_steps_max=2, update_steps_eps=1e-12)
    o = ref.resolve(base)
    params = random_parameters(ref.parameter_shapes(o), gen)
    Y, R, P = (torch.randn(2, n, 8, generator=gen) for n in (6, 4, 6))
    a = ref.Hopfield(dict(base, add_zero_association=True), params).forward(Y, R, P)
    b = ref.Hopfield(dict(base, map="softmax1"), params).forward(Y, R, P)
    assert torch.allclose(a["output"], b["output"], atol=1e-12)
    assert torch.allclose(a["energy"], b["energy"], atol=1e-12)
    # a blocked stored pattern == a deleted one
    mask = torch.zeros(2, 6, dtype=torch.bool)
    mask[:, [1, 4]] = True
    keep = [0, 2, 3, 5]
    m = ref.Hopfield(base, params)
    masked = m.forward(Y, R, P, stored_pattern_padding_mask=mask)
    deleted = m.forward(Y[:, keep], R, P[:, keep])
    assert torch.allclose(masked["output"], deleted["output"], atol=1e-12)
    assert torch.allclose(masked["energy"], deleted["energy"], atol=1e-12)
    # the energy never increases along the updates (CCCP), per query
    energies = [ref.Hopfield(dict(base, update_steps_max=k), params).forward(Y, R, P)["energy"]
                for k in range(4)]
    for e0, e1 in zip(energies, energies[1:]):
        assert (e1 <= e0 + 1e-12).all()


# --------------------------------------------------------------------------------------------
# Multiple-instance learning example: bags of bit patterns, positive iff the bag holds the
# signal pattern (the paper's bit-pattern MIL task, in miniature).
# --------------------------------------------------------------------------------------------

MIL = dict(instance_size=16, min_bag=6, max_bag=16, options=dict(
    input_size=16, hidden_size=8, num_heads=2, output_size=1, scaling=1.0))
MIL_SIGNAL = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1]


def mil_batch(n, gen):
    """n bags (bits 0/1), zero-padded to max_bag, their padding masks and labels."""
    d, lo, hi = MIL["instance_size"], MIL["min_bag"], MIL["max_bag"]
    signal = torch.tensor(MIL_SIGNAL, dtype=torch.float64)
    bags = (torch.rand(n, hi, d, generator=gen) < 0.5).double()
    sizes = torch.randint(lo, hi + 1, (n,), generator=gen)
    labels = (torch.rand(n, generator=gen) < 0.5).double()
    mask = torch.arange(hi)[None, :] >= sizes[:, None]
    for i in range(n):
        # negatives must not contain the signal by chance
        for j in range(hi):
            while torch.equal(bags[i, j], signal):
                bags[i, j] = (torch.rand(d, generator=gen) < 0.5).double()
        if labels[i] == 1:
            bags[i, torch.randint(0, int(sizes[i]), (1,), generator=gen).item()] = signal
    bags = bags.masked_fill(mask[..., None], 0.0)
    return bags, mask, labels


def train_mil():
    torch.manual_seed(3)
    gen = torch.Generator().manual_seed(11)
    o = ref.resolve(MIL["options"])
    shapes = ref.pooling_parameter_shapes(o, 1)
    params = {k: torch.nn.Parameter(v.clone()) for k, v in random_parameters(shapes, gen, gain=1.0).items()}
    model = ref.HopfieldPooling(MIL["options"], params, 1)
    # the reference reads its tensors at construction: rebind them to the trainable ones
    model.pooling_weights = params["pooling_weights"]
    model.hopfield.p = {k[len("hopfield."):]: v for k, v in params.items() if k != "pooling_weights"}
    opt = torch.optim.Adam(params.values(), lr=0.02)
    for step in range(400):
        bags, mask, labels = mil_batch(64, gen)
        logits = model.forward(bags, stored_pattern_padding_mask=mask)["output"][:, 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        bags, mask, labels = mil_batch(512, gen)
        logits = model.forward(bags, stored_pattern_padding_mask=mask)["output"][:, 0]
        accuracy = ((logits > 0).double() == labels).double().mean().item()
        print(f"MIL HopfieldPooling: final loss {loss.item():.4f}, held-out accuracy {accuracy:.3f}")
        assert accuracy > 0.95, accuracy
        if os.path.isdir(MIL_DATA):
            shutil.rmtree(MIL_DATA)
        for key, t in params.items():
            save(os.path.join(MIL_DATA, "weights", key + ".npy"), to_numpy(t).astype(np.float32))
        bags, mask, labels = mil_batch(48, gen)
        bags32 = f32(bags)
        for t in params.values():  # the logits of the float32 weights that are saved
            t.copy_(f32(t))
        logits = model.forward(bags32, stored_pattern_padding_mask=mask)["output"][:, 0]
        save(os.path.join(MIL_DATA, "bags.npy"), to_numpy(bags32).astype(np.float32))
        save(os.path.join(MIL_DATA, "padding_mask.npy"), to_numpy(mask))
        save(os.path.join(MIL_DATA, "labels.npy"), to_numpy(labels).astype(np.float32))
        save(os.path.join(MIL_DATA, "torch_logits.npy"), to_numpy(logits))
        with open(os.path.join(MIL_DATA, "README.txt"), "w") as f:
            f.write("Generated by tests/reference/generate.py (train_mil): a HopfieldPooling\n"
                    f"classifier, options {MIL['options']}, instances of {MIL['instance_size']} bits,\n"
                    f"bags of {MIL['min_bag']}..{MIL['max_bag']} instances, positive iff the bag holds\n"
                    f"the signal {''.join(map(str, MIL_SIGNAL))}. weights/: its state_dict;\n"
                    "bags.npy, padding_mask.npy, labels.npy: 48 held-out bags; torch_logits.npy:\n"
                    f"the reference's logits for them (float64). Held-out accuracy {accuracy:.3f}.\n")


def main():
    self_checks()
    if os.path.isdir(DATA):
        shutil.rmtree(DATA)
    for i, cfg in enumerate(CONFIGS):
        generate(cfg, i)
    train_mil()
    total = sum(os.path.getsize(os.path.join(d, f)) for base in (DATA, MIL_DATA)
                for d, _, files in os.walk(base) for f in files)
    print(f"{len(CONFIGS)} configurations; {total / 1024:.0f} KiB written")


if __name__ == "__main__":
    main()
