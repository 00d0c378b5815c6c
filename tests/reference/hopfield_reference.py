"""A PyTorch reference of the Hopfield layers (Hopfield, HopfieldPooling, HopfieldLayer).

Written for this project from the published equations (Ramsauer et al. 2021, "Hopfield
Networks is All You Need", eq. 3 and its multi-head form) and from the observed semantics of
the original package in /work/shared/docs/hflayers-semantics.md. It is NOT a copy of the
hflayers package: it is deliberately plain (explicit loops over heads, no fused tensors), it
computes in whatever dtype it is given (the generator uses float64), and it does NOT reproduce
the package's defects:

  * per-head scaling: head h uses beta[h] in every pass (no tiling along the wrong axis);
  * static parts are broadcast over the batch (no batch mixing when H > 1 and B > 1);
  * concat_bias_pattern appends the learned bias key / value (bias_k, bias_v) as one extra
    stored pattern per head, after the projections and before the Hopfield-space norm;
  * boolean, uint8 and additive masks all work; a row where every stored pattern is blocked
    gets an all-zero association (zero retrieved value), never NaN;
  * HopfieldPooling always returns (B, quantity * out), whatever batch_first is.

Everything works on batch-major tensors (B, length, dim) internally; batch_first=False only
transposes inputs and outputs. A tensor with batch 1 (the learned patterns of
HopfieldPooling / HopfieldLayer) is shared by the whole batch.
"""

import math

import torch

NEG_INF = float("-inf")

# --------------------------------------------------------------------------------------------
# Separation maps on the last axis. A -inf score gets weight 0; a row of -inf gives zeros.
# --------------------------------------------------------------------------------------------


def softmax(z):
    top = z.max(dim=-1, keepdim=True).values
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    e = torch.exp(z - top)
    s = e.sum(dim=-1, keepdim=True)
    return e / torch.where(s > 0, s, torch.ones_like(s))


def softmax1(z):
    """softmax_1(z)_i = exp(z_i) / (1 + sum_j exp(z_j)) (Hu et al. 2024, OutEffHop)."""
    top = z.max(dim=-1, keepdim=True).values.clamp(min=0.0)
    e = torch.exp(z - top)
    return e / (torch.exp(-top) + e.sum(dim=-1, keepdim=True))


def _rowwise(fn, z):
    flat = z.reshape(-1, z.shape[-1])
    out = torch.zeros_like(flat)
    for r in range(flat.shape[0]):
        row = flat[r]
        keep = torch.isfinite(row)
        if keep.any():
            out[r, keep] = fn(row[keep])
    return out.reshape(z.shape)


def _sparsemax_row(z):
    """Martins & Astudillo 2016, Algorithm 1: p = [z - tau]_+."""
    zs, _ = torch.sort(z, descending=True)
    k = torch.arange(1, z.numel() + 1, dtype=z.dtype)
    cs = torch.cumsum(zs, 0)
    support = (1 + k * zs > cs).nonzero().max().item() + 1
    tau = (cs[support - 1] - 1) / support
    return torch.clamp(z - tau, min=0)


def _entmax15_row(z):
    """Exact 1.5-entmax (Peters, Niculae & Martins 2019): p = [z/2 - tau]_+^2."""
    x = (z - z.max()) / 2
    xs, _ = torch.sort(x, descending=True)
    n = xs.numel()
    k = torch.arange(1, n + 1, dtype=z.dtype)
    mean = torch.cumsum(xs, 0) / k
    mean_sq = torch.cumsum(xs * xs, 0) / k
    ss = k * (mean_sq - mean * mean)
    tau = mean - torch.sqrt(torch.clamp((1 - ss) / k, min=0))
    support = int((tau <= xs).sum().item())
    return torch.clamp(x - tau[support - 1], min=0) ** 2


def _entmax_row(z, alpha):
    """alpha-entmax by bisection on tau: p = [(alpha-1) z - tau]_+^(1/(alpha-1)), sum p = 1."""
    if alpha == 1.0:
        return softmax(z)
    t = alpha - 1.0
    x = t * (z - z.max())
    lo, hi = -1.0, -(z.numel() ** (-t))  # mass(lo) >= 1 >= mass(hi)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        mass = (torch.clamp(x - mid, min=0) ** (1.0 / t)).sum().item()
        if mass >= 1.0:
            lo = mid
        else:
            hi = mid
    p = torch.clamp(x - hi, min=0) ** (1.0 / t)
    return p / p.sum()


def apply_map(name, z, alpha=None):
    if name == "softmax":
        return softmax(z)
    if name == "softmax1":
        return softmax1(z)
    if name == "sparsemax":
        return _rowwise(_sparsemax_row, z)
    if name == "entmax15":
        return _rowwise(_entmax15_row, z)
    if name == "entmax":
        return _rowwise(lambda r: _entmax_row(r, alpha), z)
    raise ValueError(f"unknown map {name!r}")


def conjugate(name, z, p, alpha=None):
    """Psi*(z) of each row: the convex conjugate whose gradient is the map (energy term).

    softmax: log-sum-exp; softmax_1: log(1 + sum exp); sparsemax: <p,z> - |p|^2/2 + 1/2;
    alpha-entmax: <p,z> + (1 - sum p^alpha) / (alpha (alpha - 1)) (Tsallis entropy).
    A row of -inf has conjugate 0 here (it never enters an energy difference alone).
    """
    masked = ~torch.isfinite(z)
    zf = torch.where(masked, torch.zeros_like(z), z)
    if name == "softmax" or (name == "entmax" and alpha == 1.0):
        top = torch.where(masked, torch.full_like(z, NEG_INF), z).max(-1, keepdim=True).values
        top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
        s = torch.where(masked, torch.zeros_like(z), torch.exp(zf - top)).sum(-1)
        return torch.where(s > 0, top.squeeze(-1) + torch.log(torch.where(s > 0, s, 1.0)), 0.0)
    if name == "softmax1":
        return torch.log1p(torch.where(masked, torch.zeros_like(z), torch.exp(zf)).sum(-1))
    dot = (p * zf).sum(-1)
    if name == "sparsemax":
        val = dot - 0.5 * (p * p).sum(-1) + 0.5
    else:
        a = 1.5 if name == "entmax15" else alpha
        val = dot + (1 - (p ** a).sum(-1)) / (a * (a - 1))
    return torch.where(masked.all(-1), torch.zeros_like(val), val)


# --------------------------------------------------------------------------------------------
# Options and parameters
# --------------------------------------------------------------------------------------------

DEFAULTS = dict(
    input_size=None, hidden_size=None, output_size=None, pattern_size=None, num_heads=1,
    scaling=None, update_steps_max=0, update_steps_eps=1e-4,
    normalize_stored_pattern=True, normalize_stored_pattern_affine=True,
    normalize_stored_pattern_eps=1e-5,
    normalize_state_pattern=True, normalize_state_pattern_affine=True,
    normalize_state_pattern_eps=1e-5,
    normalize_pattern_projection=True, normalize_pattern_projection_affine=True,
    normalize_pattern_projection_eps=1e-5,
    normalize_hopfield_space=False, normalize_hopfield_space_affine=False,
    normalize_hopfield_space_eps=1e-5,
    stored_pattern_as_static=False, state_pattern_as_static=False,
    pattern_projection_as_static=False, pattern_projection_as_connected=False,
    stored_pattern_size=None, pattern_projection_size=None,
    batch_first=True, association_activation=None, input_bias=True,
    concat_bias_pattern=False, add_zero_association=False, disable_out_projection=False,
    # not hflayers options: the separation map of this library ('softmax' is the reference)
    map="softmax", alpha=None,
)


def resolve(options):
    """Fills the defaults and derives every size (the same rules as the C++ layers)."""
    o = dict(DEFAULTS)
    unknown = set(options) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}")
    o.update(options)
    H = o["num_heads"]
    D = o["input_size"]
    hd = o["hidden_size"] if o["hidden_size"] is not None else D // H
    pd = o["pattern_size"] if o["pattern_size"] is not None else hd
    Dy = o["stored_pattern_size"] if o["stored_pattern_size"] is not None else D
    Dp = o["pattern_projection_size"] if o["pattern_projection_size"] is not None else D
    static = (o["stored_pattern_as_static"], o["state_pattern_as_static"],
              o["pattern_projection_as_static"])
    all_static = all(static)
    if o["scaling"] is None:
        beta = [1.0 if all_static else 1.0 / math.sqrt(hd)] * H
    elif isinstance(o["scaling"], (list, tuple)):
        beta = [float(b) for b in o["scaling"]]
        assert len(beta) == H
    else:
        beta = [float(o["scaling"])] * H
    alpha = o["alpha"]
    if o["map"] == "entmax":
        alpha = [float(a) for a in alpha] if isinstance(alpha, (list, tuple)) else [float(alpha)] * H
    fused = not ((o["stored_pattern_size"] is not None and o["stored_pattern_size"] != D)
                 or (o["pattern_projection_size"] is not None
                     and o["pattern_projection_size"] != D)
                 or o["pattern_size"] is not None or o["pattern_projection_as_connected"])
    out = H * pd if o["disable_out_projection"] else (
        o["output_size"] if o["output_size"] is not None else D)
    o.update(H=H, D=D, hd=hd, pd=pd, Dy=Dy, Dp=Dp, all_static=all_static, beta=beta,
             alphas=alpha, fused=fused, out=out)
    return o


def parameter_shapes(o):
    """state_dict keys and shapes of a Hopfield module with resolved options `o`."""
    H, D, hd, pd, Dy, Dp = o["H"], o["D"], o["hd"], o["pd"], o["Dy"], o["Dp"]
    sq, sk, sv = (o["state_pattern_as_static"], o["stored_pattern_as_static"],
                  o["pattern_projection_as_static"])
    shapes = {}
    if o["normalize_hopfield_space"] and o["normalize_hopfield_space_affine"]:
        shapes["association_core.p_norm_weight"] = (hd,)
        shapes["association_core.p_norm_bias"] = (hd,)
    if not o["all_static"]:
        if o["fused"]:
            rows = H * hd * ((not sq) + (not sk)) + H * pd * (not sv)
            shapes["association_core.in_proj_weight"] = (rows, D)
        else:
            if not sq:
                shapes["association_core.q_proj_weight"] = (H * hd, D)
            if not sk:
                shapes["association_core.k_proj_weight"] = (H * hd, Dy)
            if not sv:
                vin = H * hd if o["pattern_projection_as_connected"] else Dp
                shapes["association_core.v_proj_weight"] = (H * pd, vin)
        if o["input_bias"]:
            shapes["association_core.in_proj_bias"] = (H * hd * ((not sq) + (not sk)) + H * pd,)
    if o["concat_bias_pattern"]:
        shapes["association_core.bias_k"] = (1, 1, H * hd)
        shapes["association_core.bias_v"] = (1, 1, H * pd)
    if not o["disable_out_projection"]:
        shapes["association_core.out_proj.weight"] = (o["out"], H * pd)
        if o["input_bias"]:
            shapes["association_core.out_proj.bias"] = (o["out"],)
    for name, size in (("stored_pattern", Dy), ("state_pattern", D),
                       ("pattern_projection", Dp)):
        if o[f"normalize_{name}"] and o[f"normalize_{name}_affine"]:
            shapes[f"norm_{name}.weight"] = (size,)
            shapes[f"norm_{name}.bias"] = (size,)
    return shapes


# --------------------------------------------------------------------------------------------
# The layers
# --------------------------------------------------------------------------------------------


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    return y * weight + bias if weight is not None else y


ACTIVATIONS = {
    "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "gelu": torch.nn.functional.gelu, "silu": torch.nn.functional.silu,
    "elu": torch.nn.functional.elu, "selu": torch.selu, "celu": torch.celu,
    "softplus": torch.nn.functional.softplus,
}


def mask_to_additive(mask, dtype):
    """bool / uint8: nonzero = blocked (-inf); float: added to the scores as is."""
    if mask.dtype in (torch.bool, torch.uint8):
        return torch.zeros(mask.shape, dtype=dtype).masked_fill(mask != 0, NEG_INF)
    return mask.to(dtype)


class Hopfield:
    """Hopfield(R, Y, V) with the parameters of a state_dict (see parameter_shapes)."""

    def __init__(self, options, params):
        self.o = resolve(options)
        self.p = dict(params)
        expected = parameter_shapes(self.o)
        assert set(expected) == set(self.p), (sorted(expected), sorted(self.p))
        for k, s in expected.items():
            assert tuple(self.p[k].shape) == tuple(s), (k, self.p[k].shape, s)

    def _norm(self, name, x):
        o = self.o
        if not o[f"normalize_{name}"]:
            return x
        return layer_norm(x, self.p.get(f"norm_{name}.weight"), self.p.get(f"norm_{name}.bias"),
                          o[f"normalize_{name}_eps"])

    def _projection_weights(self):
        """(Wq, Wk, Wv, bq, bk, bv); None for the parts that are static."""
        o, p = self.o, self.p
        H, hd, pd = o["H"], o["hd"], o["pd"]
        sq, sk, sv = (o["state_pattern_as_static"], o["stored_pattern_as_static"],
                      o["pattern_projection_as_static"])
        Wq = Wk = Wv = bq = bk = bv = None
        if not o["all_static"]:
            if o["fused"]:
                W = p["association_core.in_proj_weight"]
                r = 0
                if not sq:
                    Wq, r = W[r:r + H * hd], r + H * hd
                if not sk:
                    Wk, r = W[r:r + H * hd], r + H * hd
                if not sv:
                    Wv = W[r:r + H * pd]
            else:
                Wq = p.get("association_core.q_proj_weight")
                Wk = p.get("association_core.k_proj_weight")
                Wv = p.get("association_core.v_proj_weight")
            if o["input_bias"]:
                b = p["association_core.in_proj_bias"]
                r = 0
                if not sq:
                    bq, r = b[r:r + H * hd], r + H * hd
                if not sk:
                    bk, r = b[r:r + H * hd], r + H * hd
                bv = b[r:r + H * pd]  # always present, even when unused
        return Wq, Wk, Wv, bq, bk, bv

    @staticmethod
    def _linear(x, W, b):
        y = x @ W.T
        return y + b if b is not None else y

    def forward(self, stored, state, projection, stored_pattern_padding_mask=None,
                association_mask=None):
        """Returns dict(output, association (B,H,L,S'), head_outputs (B,H,L,pd),
        energy (B,H,L), steps (per head), diffs (per head: list of max_b ||dA||_F))."""
        o, p = self.o, self.p
        if not o["batch_first"]:
            stored, state, projection = (t.transpose(0, 1) for t in (stored, state, projection))
        res = self._forward_batch_major(stored, state, projection, stored_pattern_padding_mask,
                                        association_mask)
        if not o["batch_first"]:
            res["output"] = res["output"].transpose(0, 1)
        return res

    def _forward_batch_major(self, Y, R, P, padding_mask, association_mask):
        o, p = self.o, self.p
        H, hd, pd = o["H"], o["hd"], o["pd"]
        B = max(Y.shape[0], R.shape[0], P.shape[0])
        S, L = Y.shape[1], R.shape[1]
        assert P.shape[1] == S
        dtype = R.dtype

        # 1. three independent LayerNorms on the raw inputs
        Yn = self._norm("stored_pattern", Y)
        Rn = self._norm("state_pattern", R)
        Pn = self._norm("pattern_projection", P)

        # 2. projections (a static part is used as is)
        Wq, Wk, Wv, bq, bk, bv = self._projection_weights()
        q = Rn if o["state_pattern_as_static"] else self._linear(Rn, Wq, bq)
        k = Yn if o["stored_pattern_as_static"] else self._linear(Yn, Wk, bk)
        if o["pattern_projection_as_static"]:
            v = Pn
        elif o["pattern_projection_as_connected"]:
            v = self._linear(self._linear(Pn, Wk, bk), Wv, bv)
        else:
            v = self._linear(Pn, Wv, bv)
        assert q.shape[-1] == H * hd and k.shape[-1] == H * hd and v.shape[-1] == H * pd
        q, k, v = (t.expand(B, -1, -1) for t in (q, k, v))  # shared patterns: broadcast

        # concat_bias_pattern: one learned stored pattern (key and value) more
        if o["concat_bias_pattern"]:
            k = torch.cat([k, p["association_core.bias_k"].reshape(1, 1, -1).expand(B, 1, -1)], 1)
            v = torch.cat([v, p["association_core.bias_v"].reshape(1, 1, -1).expand(B, 1, -1)], 1)

        # masks -> one additive (B, H, L, S) tensor over the user's S stored patterns
        M = torch.zeros(B, H, L, S, dtype=dtype)
        if padding_mask is not None:
            M = M + mask_to_additive(padding_mask, dtype).reshape(B, 1, 1, S)
        if association_mask is not None:
            am = mask_to_additive(association_mask, dtype)
            M = M + (am.reshape(1, 1, L, S) if am.dim() == 2 else am.reshape(B, H, L, S))
        extra = int(o["concat_bias_pattern"]) + int(o["add_zero_association"])
        M = torch.cat([M, torch.zeros(B, H, L, extra, dtype=dtype)], -1)  # never masked

        steps_max = o["update_steps_max"]
        eps = o["update_steps_eps"]
        heads, assoc, energies, steps, diffs = [], [], [], [], []
        for h in range(H):
            qh = q[..., h * hd:(h + 1) * hd]
            kh = k[..., h * hd:(h + 1) * hd]
            vh = v[..., h * pd:(h + 1) * pd]
            # 3. Hopfield-space LayerNorm over hd, on q and k only, shared affine parameters
            if o["normalize_hopfield_space"]:
                w = p.get("association_core.p_norm_weight")
                b = p.get("association_core.p_norm_bias")
                qh = layer_norm(qh, w, b, o["normalize_hopfield_space_eps"])
                kh = layer_norm(kh, w, b, o["normalize_hopfield_space_eps"])
            # 5. add_zero_association: a zero key and a zero value
            if o["add_zero_association"]:
                kh = torch.cat([kh, torch.zeros(B, 1, hd, dtype=dtype)], 1)
                vh = torch.cat([vh, torch.zeros(B, 1, pd, dtype=dtype)], 1)
            beta = o["beta"][h]
            alpha = o["alphas"][h] if o["alphas"] is not None else None
            Mh = M[:, h]

            def associate(xi):
                # 4. the scaling multiplies the state, keys are not scaled; masks every pass
                z = beta * (xi @ kh.transpose(1, 2)) + Mh
                return apply_map(o["map"], z, alpha)

            # 6. pass 0, then updates while the head is active (the stopping rule)
            xi = qh
            A = associate(xi)
            s, head_diffs = 0, []
            if steps_max is None or steps_max > 0:
                while True:
                    xi_next = A @ kh
                    A_next = associate(xi_next)
                    d = torch.linalg.norm((A_next - A).reshape(B, -1), dim=1).max().item()
                    head_diffs.append(d)
                    xi, A, s = xi_next, A_next, s + 1
                    if not ((steps_max is None or s < steps_max) and d > eps):
                        break
            steps.append(s)
            diffs.append(head_diffs)
            assoc.append(A)
            heads.append(A @ vh)
            energies.append(self._energy(xi, kh, Mh, beta, alpha))

        # 7. concat over heads, out_proj, activation
        out = torch.cat(heads, -1)
        if not o["disable_out_projection"]:
            out = self._linear(out, p["association_core.out_proj.weight"],
                               p.get("association_core.out_proj.bias"))
        if o["association_activation"] is not None:
            out = ACTIVATIONS[o["association_activation"]](out)
        return dict(output=out, association=torch.stack(assoc, 1),
                    head_outputs=torch.stack(heads, 1), energy=torch.stack(energies, 1),
                    steps=steps, diffs=diffs)

    def _energy(self, xi, kh, Mh, beta, alpha):
        """E(xi) = -(1/beta) [Psi*(beta K xi + m) - Psi*(m)] + xi.xi/2 + M^2/2 per query row,
        M = the largest norm of a key the row does not block (models.md section 3)."""
        name = self.o["map"]
        z = beta * (xi @ kh.transpose(1, 2)) + Mh
        pz = apply_map(name, z, alpha)
        p0 = apply_map(name, Mh, alpha)
        psi = conjugate(name, z, pz, alpha) - conjugate(name, Mh, p0, alpha)
        norms2 = (kh * kh).sum(-1)  # (B, S')
        open_ = torch.isfinite(Mh)   # (B, L, S')
        M2 = torch.where(open_, norms2[:, None, :], torch.zeros_like(Mh)).max(-1).values
        return -psi / beta + 0.5 * (xi * xi).sum(-1) + 0.5 * M2


class HopfieldPooling:
    """A learned static query (`pooling_weights`, quantity of them) attends over the input."""

    def __init__(self, options, params, quantity=1):
        self.quantity = quantity
        self.pooling_weights = params["pooling_weights"]
        inner = {k[len("hopfield."):]: t for k, t in params.items() if k.startswith("hopfield.")}
        assert len(inner) + 1 == len(params)
        self.hopfield = Hopfield(options, inner)

    def forward(self, stored, projection=None, stored_pattern_padding_mask=None,
                association_mask=None):
        o = self.hopfield.o
        projection = stored if projection is None else projection
        if not o["batch_first"]:
            stored, projection = stored.transpose(0, 1), projection.transpose(0, 1)
        state = self.pooling_weights.reshape(1, self.quantity, -1)
        res = self.hopfield._forward_batch_major(stored, state, projection,
                                                 stored_pattern_padding_mask, association_mask)
        res["output"] = res["output"].reshape(res["output"].shape[0], -1)  # (B, quantity*out)
        return res


class HopfieldLayer:
    """Learned static stored patterns (`lookup_weights`, optionally separate `target_weights`)."""

    def __init__(self, options, params, quantity=1, lookup_weights_as_separated=False):
        self.quantity = quantity
        self.lookup = params["lookup_weights"].reshape(1, quantity, -1)
        self.targets = (params["target_weights"].reshape(1, quantity, -1)
                        if lookup_weights_as_separated else self.lookup)
        inner = {k[len("hopfield."):]: t for k, t in params.items() if k.startswith("hopfield.")}
        self.hopfield = Hopfield(options, inner)

    def forward(self, state, stored_pattern_padding_mask=None, association_mask=None):
        o = self.hopfield.o
        if not o["batch_first"]:
            state = state.transpose(0, 1)
        res = self.hopfield._forward_batch_major(self.lookup, state, self.targets,
                                                 stored_pattern_padding_mask, association_mask)
        if not o["batch_first"]:
            res["output"] = res["output"].transpose(0, 1)
        return res


def pooling_parameter_shapes(o, quantity):
    shapes = {"pooling_weights": (1, quantity, o["D"])}
    shapes.update({"hopfield." + k: s for k, s in parameter_shapes(o).items()})
    return shapes


def lookup_parameter_shapes(o, quantity, separated):
    shapes = {"lookup_weights": (1, quantity, o["Dy"])}
    if separated:
        shapes["target_weights"] = (1, quantity, o["Dp"])
    shapes.update({"hopfield." + k: s for k, s in parameter_shapes(o).items()})
    return shapes
