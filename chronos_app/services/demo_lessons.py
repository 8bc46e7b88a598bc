"""Demo lessons for Maya Lin's school "Practical Data Science": original spoken transcripts.

The text below was written for Chronos (it is not taken from any existing video or subtitle
file), so it can be shipped with the demo. Each lesson is a sequence of sections, each a list of
spoken sentences; `lesson_cues` times them at a steady speaking pace so the transcript can run
through the real pipeline (captions, chunking, embeddings, chapters) next to a generated video.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chronos_app.pipeline.captions import Cue

WORDS_PER_SECOND = 2.6
MIN_CUE_SECONDS = 1.5
SENTENCE_PAUSE = 0.4  # after every sentence
SECTION_PAUSE = 1.2  # extra silence before each section but the first
TAIL_SECONDS = 2.0  # after the last cue, before the video ends


@dataclass(frozen=True)
class DemoLesson:
    key: str  # stable slug, e.g. "cleaning-data"
    title: str
    description: str  # 1–2 sentences for the library/course page
    tags: tuple[str, ...]  # 2–4 lowercase tags
    color: str  # hex background for the generated demo video, distinct per lesson
    tone_hz: float  # 220–660, distinct per lesson
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (section title, spoken sentences)


CLEANING_DATA = DemoLesson(
    key="cleaning-data",
    title="Cleaning messy data with pandas",
    description="Turn a messy table into one you can trust: missing values, data types and "
                "dates, duplicate rows and outliers, all with pandas.",
    tags=("pandas", "data-cleaning", "python"),
    color="#1f4e79",
    tone_hz=262.0,
    sections=(
        ("Handling missing values", (
            "Hi, I'm Maya, and in this lesson we're going to take a messy spreadsheet and turn "
            "it into something we can actually trust.",
            "Let's start with missing values, because almost every real dataset has them.",
            "In pandas, a missing number usually shows up as NaN, and a missing date shows up "
            "as NaT.",
            "The first thing I always run is df.isna().sum(), which counts the missing values "
            "in every column.",
            "Say we have a customer table with 1,000 rows, and the age column has 120 missing "
            "entries, so twelve percent of the ages are unknown.",
            "Before deciding what to do, I ask why the values are missing, because a blank "
            "income field might simply mean the person preferred not to answer.",
            "If only a handful of rows are affected, dropping them with "
            "df.dropna(subset=['age']) is often the simplest honest choice.",
            "When many rows are affected, I fill the gaps instead, and for a skewed column like "
            "income I use the median, because one millionaire can drag the mean far away.",
            "In code that looks like df['income'] = df['income'].fillna(df['income'].median()).",
            "For a categorical column, you can fill with the most common value, or with an "
            "explicit label like 'unknown', so a model can learn that missingness itself matters.",
            "One more tip: watch out for disguised missing values, such as the text N/A or a "
            "placeholder like minus 999, and pass them to read_csv with the na_values argument.",
        )),
        ("Fixing dtypes and dates", (
            "Next, let's talk about data types, because a column that looks like numbers is not "
            "always stored as numbers.",
            "Run df.dtypes and look for columns marked object that you expected to be numeric.",
            "A classic example is a price column where some cells contain a dollar sign or a "
            "thousands separator, like $1,299.",
            "pandas can't treat that as a number, so the whole column stays as text, and calling "
            "sum on it would glue the strings together instead of adding them up.",
            "I clean it with df['price'].str.replace('[$,]', '', regex=True) and then convert "
            "the result with pd.to_numeric.",
            "If a few cells still refuse to convert, pd.to_numeric with errors='coerce' turns "
            "them into NaN, so you can inspect them instead of crashing.",
            "Dates deserve the same care, since a date read from a CSV file is usually just a "
            "string.",
            "pd.to_datetime converts it, and passing an explicit format such as '%Y-%m-%d' makes "
            "parsing faster and stops pandas from guessing.",
            "Guessing is dangerous, because 03/04/2024 is the fourth of March in the United "
            "States but the third of April in most of Europe.",
            "Once the column is a real datetime, the dt accessor gives you the year, the month "
            "or the day of the week for free, for example df['date'].dt.dayofweek.",
        )),
        ("Removing duplicate rows", (
            "Now let's deal with duplicates, which sneak in when files are merged or when "
            "somebody submits a form twice.",
            "df.duplicated().sum() tells you how many rows are exact copies of an earlier row.",
            "Exact duplicates are easy, because df.drop_duplicates() keeps the first copy and "
            "removes the rest.",
            "The trickier case is rows that describe the same thing but differ slightly, like "
            "the same customer email typed once in capitals and once in lowercase.",
            "So before checking for duplicates, I normalise the key columns, for example with "
            "str.strip() and str.lower() on the email column.",
            "Then I pass subset=['email'] to drop_duplicates, so pandas only compares the columns "
            "that define who a customer is.",
            "The keep argument decides which copy survives, and if the data is sorted by a "
            "timestamp, keep='last' gives you the most recent record.",
            "Be careful not to remove rows that only look duplicated, such as two genuine orders "
            "of the same product on the same day.",
            "That's why I always compare the row count before and after, and print a few of the "
            "removed rows to make sure they really were copies.",
        )),
        ("Spotting and treating outliers", (
            "The last topic is outliers, the values that sit far away from everything else.",
            "I start with df.describe(), and I look at the gap between the 75th percentile and "
            "the maximum.",
            "If the typical order is 40 dollars and the maximum is 40,000, something deserves a "
            "closer look.",
            "A common rule uses the interquartile range, or IQR, which is the third quartile "
            "minus the first quartile.",
            "Anything more than 1.5 times the IQR below the first quartile or above the third "
            "quartile gets flagged as a potential outlier.",
            "Flagged does not mean wrong, so the next step is to ask whether the value is an "
            "error or a rare but real event.",
            "An age of 250 is clearly a typo, so I would set it to NaN and handle it like any "
            "other missing value.",
            "A single huge purchase from a corporate client might be perfectly real, and "
            "deleting it would hide an important customer.",
            "For real but extreme values, one option is capping, also called winsorizing, with "
            "df['amount'].clip(upper=df['amount'].quantile(0.99)).",
            "Another option is a log transform with np.log1p, which pulls in a long right tail "
            "without throwing anything away.",
            "That's the full cleaning pass: missing values, types, duplicates and outliers, and "
            "next time we'll fit our first model on clean data.",
        )),
    ),
)

LINEAR_REGRESSION = DemoLesson(
    key="linear-regression",
    title="Linear regression from scratch",
    description="Build linear regression from the least squares idea up, fit it with numpy and "
                "scikit-learn, judge it with residuals and R², and learn where it breaks.",
    tags=("regression", "numpy", "scikit-learn"),
    color="#2e7d32",
    tone_hz=330.0,
    sections=(
        ("The line and least squares", (
            "Welcome back, in this lesson we're going to build linear regression from the ground "
            "up, so nothing about it feels like magic.",
            "Let's use a simple example: predicting the price of a flat from its floor area in "
            "square metres.",
            "A straight line has two numbers, a slope and an intercept, so our model says price "
            "equals intercept plus slope times area.",
            "If the slope is 3,000, every extra square metre adds about 3,000 euros to the "
            "predicted price.",
            "For any line we draw, each flat has a residual, which is the actual price minus the "
            "price the line predicts.",
            "Least squares squares each residual, so positive and negative errors can't cancel "
            "out, and the best line is the one that makes the sum of those squares as small as "
            "possible.",
            "Squaring has two nice effects: it treats over and under predictions the same, and "
            "it punishes big misses much more than small ones.",
            "For a single feature there's a closed form answer, where the slope is the covariance "
            "of x and y divided by the variance of x.",
            "The intercept is the mean of y minus the slope times the mean of x, which means the "
            "best line always passes through the point of the two means.",
        )),
        ("Fitting with numpy and scikit-learn", (
            "Let's fit it in code, first by hand with numpy, so you can see the formula working.",
            "Say x holds five floor areas, 50, 60, 80, 100 and 120 square metres, and y holds "
            "the five matching prices.",
            "I compute the slope as np.cov(x, y)[0, 1] divided by np.var(x, ddof=1), and then "
            "the intercept from the two means.",
            "That ddof=1 matters, because np.cov divides by n minus one by default while np.var "
            "divides by n, and mixing them would skew the slope.",
            "With several features, the general tool is np.linalg.lstsq, which solves the least "
            "squares problem for a whole matrix of inputs.",
            "You add a column of ones to that matrix, so the solver can learn the intercept as "
            "just another coefficient.",
            "In practice I usually reach for scikit-learn, where the same model is "
            "LinearRegression from sklearn.linear_model.",
            "You create it, call model.fit(X, y), and it stores the slope in model.coef_ and the "
            "intercept in model.intercept_.",
            "One gotcha is that scikit-learn expects X to be two dimensional, so a single column "
            "needs double brackets, like df[['area']].",
        )),
        ("Residuals and R squared", (
            "A fitted line is only useful if we can say how good it is, so let's look at "
            "residuals and R squared.",
            "The first thing I do after fitting is plot the residuals against the predicted "
            "values.",
            "If the model is reasonable, that plot looks like a shapeless cloud centred on zero.",
            "If you see a curve, the relationship is not linear, and if you see a funnel that "
            "widens to the right, the errors grow with the size of the prediction.",
            "For a single number summary we use R squared, which compares our model with the "
            "laziest possible model, one that always predicts the mean.",
            "It's one minus the sum of squared residuals divided by the total sum of squares "
            "around the mean.",
            "An R squared of 0.8 means the model explains 80 percent of the variance in the "
            "target, and an R squared of zero means it does no better than the mean.",
            "On new data R squared can even go negative, which tells you the model is worse than "
            "just predicting the average.",
            "I also like to report the root mean squared error, because it's in the same units "
            "as the target, like euros, which is easier to explain to people.",
            "And always measure these on a held out test set, because R squared on the training "
            "data almost always looks more flattering.",
        )),
        ("When linear regression fails", (
            "Finally, let's talk about when linear regression lets you down, because knowing the "
            "limits is half the skill.",
            "The obvious failure is a curved relationship, like sales that grow quickly at first "
            "and then level off.",
            "You can often rescue that by transforming features, for example adding a squared "
            "term or taking the log of the target.",
            "A second failure is outliers, because squaring the residuals means one extreme point "
            "can pull the whole line toward itself.",
            "If a single flat priced at ten million sneaks into the data, the slope can change "
            "dramatically, so always check for influential points.",
            "Robust alternatives like HuberRegressor in scikit-learn reduce the influence of "
            "those extreme points.",
            "A third problem is multicollinearity, when two features carry almost the same "
            "information, such as area in square metres and area in square feet.",
            "The predictions can still be fine, but the individual coefficients become unstable "
            "and can even flip sign, so don't read too much into them.",
            "Ridge regression adds a penalty on large coefficients and usually calms that "
            "instability down.",
            "Remember too that the line is only trustworthy inside the range you trained on, so "
            "predicting a 500 square metre mansion from flats under 150 is pure extrapolation.",
            "In the next lesson we'll switch from predicting numbers to predicting categories, "
            "and learn how to evaluate a classifier honestly.",
        )),
    ),
)

EVALUATING_CLASSIFIER = DemoLesson(
    key="evaluating-classifier",
    title="Evaluating a classifier",
    description="Find out how good a classifier really is: honest train/test splits, the "
                "confusion matrix, precision, recall and F1, and ROC curves with thresholds.",
    tags=("classification", "metrics", "scikit-learn"),
    color="#6a1b9a",
    tone_hz=392.0,
    sections=(
        ("Splitting train and test", (
            "Hi again, today we're going to answer a deceptively simple question: how good is my "
            "classifier, really?",
            "Our running example is a model that predicts whether a customer will cancel their "
            "subscription, which we call churn.",
            "The golden rule is that you never judge a model on the same data it learned from.",
            "A model can memorise its training set, so training accuracy tells you very little "
            "about how it behaves on new customers.",
            "So we hold data back with train_test_split from sklearn.model_selection, typically "
            "keeping 20 or 25 percent as a test set.",
            "I always pass a fixed random_state, for example 42, so the split is reproducible and "
            "my colleagues get the same numbers.",
            "If only 10 percent of customers churn, I also pass stratify=y, which keeps that 10 "
            "percent ratio in both the training and the test set.",
            "The test set is for the final check, so tuning settings by repeatedly peeking at it "
            "slowly leaks information and inflates your score.",
            "For tuning, use a separate validation set or cross validation with cross_val_score, "
            "and touch the test set only at the very end.",
        )),
        ("Reading the confusion matrix", (
            "Once we have predictions on the test set, the first thing I look at is the confusion "
            "matrix.",
            "For a binary problem it's a two by two table that compares actual classes with "
            "predicted classes.",
            "True positives are churners we correctly flagged, and true negatives are loyal "
            "customers we correctly left alone.",
            "False positives are loyal customers we wrongly flagged, and false negatives are "
            "churners we missed.",
            "In scikit-learn you get it with confusion_matrix(y_test, y_pred), where the rows are "
            "the actual classes and the columns are the predicted ones.",
            "Let's use concrete numbers: 1,000 test customers, 100 of whom really churn.",
            "Suppose our model catches 70 of those churners, misses 30, and wrongly flags 50 of "
            "the 900 loyal customers.",
            "That gives 70 true positives, 30 false negatives, 50 false positives and 850 true "
            "negatives.",
            "Accuracy is the number of correct predictions divided by everything, so 920 out of "
            "1,000, or 92 percent.",
            "That sounds great, but a lazy model that predicts nobody ever churns would score 90 "
            "percent while catching zero churners.",
            "This is why accuracy is misleading on imbalanced data, and why we need metrics that "
            "focus on the positive class.",
        )),
        ("Precision, recall and F1", (
            "Precision answers the question: when the model says churn, how often is it right?",
            "It's the true positives divided by everything we flagged, so 70 divided by 120, "
            "which is about 0.58.",
            "Recall answers a different question: of all the customers who actually churned, how "
            "many did we catch?",
            "It's the true positives divided by all actual positives, so 70 divided by 100, which "
            "is 0.70.",
            "There's a tension between the two, because flagging more customers usually raises "
            "recall but lowers precision.",
            "Which one matters more depends on cost, and if a retention call is cheap but losing "
            "a customer is expensive, I'd favour recall.",
            "For a spam filter it's the opposite, since hiding a real email from your boss is "
            "worse than letting one spam message through, so precision wins.",
            "When you want a single number that balances both, use the F1 score, which is the "
            "harmonic mean of precision and recall.",
            "For our example, F1 is two times 0.58 times 0.70, divided by their sum, which comes "
            "out at roughly 0.64.",
            "The harmonic mean punishes imbalance, so a model with a precision of 1.0 and a "
            "recall of 0.1 gets an F1 of only about 0.18.",
            "scikit-learn's classification_report prints precision, recall and F1 for every "
            "class in one go, and I run it on almost every project.",
        )),
        ("ROC curves and thresholds", (
            "Most classifiers don't really output yes or no, they output a probability, and the "
            "yes or no comes from a threshold.",
            "By default, predict uses a threshold of 0.5, but nothing says 0.5 is right for your "
            "business.",
            "With predict_proba you get the probabilities themselves, and you can choose your own "
            "cut off, such as flagging everyone above 0.3.",
            "Lowering the threshold catches more churners, which raises recall, but it also flags "
            "more loyal customers, which lowers precision.",
            "The ROC curve shows this trade off across every possible threshold at once.",
            "It plots the true positive rate, which is recall, against the false positive rate, "
            "the share of negatives we wrongly flag.",
            "The area under that curve, the ROC AUC, summarises it in one number, where 0.5 is "
            "random guessing and 1.0 is perfect.",
            "A nice interpretation is that AUC is the probability that a randomly chosen churner "
            "gets a higher score than a randomly chosen loyal customer.",
            "You compute it with roc_auc_score(y_test, scores), passing the probabilities rather "
            "than the hard yes or no predictions.",
            "When positives are rare, I also look at the precision recall curve, because ROC can "
            "look optimistic when there are lots of negatives.",
            "Then pick the threshold on validation data by weighing the real cost of each kind "
            "of mistake, not out of habit.",
        )),
    ),
)

FEATURE_ENGINEERING = DemoLesson(
    key="feature-engineering",
    title="Feature engineering that helps",
    description="The feature engineering that actually moves the needle: scaling, one-hot "
                "encoding, interaction and date features, and how to avoid data leakage.",
    tags=("features", "scikit-learn", "pandas"),
    color="#b35900",
    tone_hz=494.0,
    sections=(
        ("Scaling numeric features", (
            "Hello everyone, in this lesson I want to show you the feature engineering tricks "
            "that actually move the needle.",
            "Let's begin with scaling, which means putting numeric features on comparable ranges.",
            "Imagine one feature is annual income in the tens of thousands, and another is the "
            "number of children, usually between zero and four.",
            "Distance based models like k nearest neighbours, and regularised models like "
            "logistic regression, end up dominated by whichever feature has the biggest numbers.",
            "StandardScaler fixes this by subtracting the mean and dividing by the standard "
            "deviation, so each feature ends up with mean zero and standard deviation one.",
            "MinMaxScaler instead squeezes each feature into the range zero to one, which is "
            "handy when you need bounded values.",
            "If the data has strong outliers, RobustScaler uses the median and the interquartile "
            "range, so one extreme value doesn't squash everything else.",
            "Tree based models like random forests and gradient boosting don't care about scale, "
            "because they only split on thresholds.",
            "The crucial detail is to fit the scaler on the training data only, and then use that "
            "same fitted scaler to transform the test data.",
            "The easiest way to get this right is to put the scaler and the model together in a "
            "Pipeline from sklearn.pipeline.",
        )),
        ("One-hot encoding categories", (
            "Next up, categorical features, such as city, product type or subscription plan.",
            "Most models need numbers, and the tempting shortcut is to replace London with 1, "
            "Paris with 2 and Berlin with 3.",
            "The problem is that this invents an order, as if Berlin were somehow three times "
            "London, and a linear model will take that literally.",
            "One-hot encoding avoids this by creating one column per category, holding a one in "
            "the matching column and zeros everywhere else.",
            "In pandas, pd.get_dummies(df, columns=['city']) does this in a single line, which is "
            "great for exploring.",
            "For models, I prefer OneHotEncoder from scikit-learn, because it remembers the "
            "categories it saw during training.",
            "Setting handle_unknown='ignore' means a brand new city in production becomes all "
            "zeros instead of crashing your prediction service.",
            "Watch out for high cardinality, like a column with 5,000 different postcodes, which "
            "would create 5,000 mostly empty columns.",
            "In that case I group rare categories into an other bucket, for example with the "
            "min_frequency option, or I use target encoding with proper cross validation.",
            "If a category has a natural order, like small, medium and large, an OrdinalEncoder "
            "with that explicit order is actually the right choice.",
        )),
        ("Interactions and date features", (
            "Now let's create new features, which is where domain knowledge really pays off.",
            "An interaction feature combines two columns, because sometimes their effect together "
            "is different from their effects separately.",
            "For house prices, the number of rooms times the average room size tells you more "
            "than either number on its own.",
            "Ratios are often even better, for example price per square metre, or debt divided "
            "by income for a loan applicant.",
            "PolynomialFeatures with interaction_only=True generates every pairwise product for "
            "you, but with many columns that explodes quickly, so I usually handpick a few.",
            "Dates are a gold mine, since a raw timestamp is almost useless to most models.",
            "From a single order date, I extract the day of the week, the month, the hour, and "
            "whether it falls on a weekend or a public holiday.",
            "Durations are powerful too, such as days since the customer signed up or days since "
            "their last purchase.",
            "Some time features are cyclical, so December and January are neighbours even though "
            "12 and 1 are far apart as numbers.",
            "A neat trick is to encode the month as the sine and cosine of two pi times the month "
            "divided by twelve, so the calendar wraps around smoothly.",
        )),
        ("Avoiding data leakage", (
            "The last topic is the one that bites experienced people too, and that's data "
            "leakage.",
            "Leakage happens when your model gets information during training that it would "
            "never have at prediction time.",
            "A classic example is a churn model that includes the date the account was closed, "
            "which obviously only exists for customers who already left.",
            "A sneakier form is preprocessing leakage, like fitting a scaler or filling missing "
            "values with a mean computed on the whole dataset before splitting.",
            "Then statistics from the test set quietly flow into training, and your score "
            "becomes a little too optimistic.",
            "Target encoding is especially risky, because encoding a category with the average "
            "target of those very same rows hands the answer to the model.",
            "With time series, a random split leaks the future into the past, so use "
            "TimeSeriesSplit, or simply train on older data and test on newer data.",
            "My personal warning sign is a result that's too good to be true, like 99 percent "
            "accuracy on a problem where experts struggle.",
            "The habits that prevent most leakage are simple: split first, keep every fitted step "
            "inside a Pipeline, and ask whether you'd know each feature at prediction time.",
            "Thanks for following along with this course, and I'd love to hear which feature "
            "ideas worked on your own data.",
        )),
    ),
)

DEMO_LESSONS: tuple[DemoLesson, ...] = (
    CLEANING_DATA,
    LINEAR_REGRESSION,
    EVALUATING_CLASSIFIER,
    FEATURE_ENGINEERING,
)


def _spoken_seconds(sentence: str) -> float:
    return max(len(sentence.split()) / WORDS_PER_SECOND, MIN_CUE_SECONDS)


def lesson_cues(lesson: DemoLesson) -> list[Cue]:
    """One cue per sentence, back to back from 0.0, each lasting len(words)/WORDS_PER_SECOND
    seconds (min 1.5 s) plus a 0.4 s pause after the sentence and a 1.2 s pause between sections;
    start/end rounded to 3 decimals (true fractional seconds).

    The pause after a section's last sentence is followed by the section pause, so consecutive
    sections are 1.6 s apart. Times accumulate unrounded; only the reported values are rounded.
    """
    cues: list[Cue] = []
    t = 0.0
    for index, (_title, sentences) in enumerate(lesson.sections):
        if index:
            t += SECTION_PAUSE
        for sentence in sentences:
            end = t + _spoken_seconds(sentence)
            cues.append(Cue(round(t, 3), round(end, 3), sentence))
            t = end + SENTENCE_PAUSE
    return cues


def lesson_duration(lesson: DemoLesson) -> float:
    """Length of the lesson's video: the end of the last cue plus 2 s, rounded up to whole s."""
    cues = lesson_cues(lesson)
    last_end = cues[-1].end if cues else 0.0
    return float(math.ceil(round(last_end + TAIL_SECONDS, 3)))


def _timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def lesson_vtt(lesson: DemoLesson) -> bytes:
    """A valid WebVTT file (UTF-8, 'WEBVTT' header, HH:MM:SS.mmm timestamps) of lesson_cues."""
    blocks = [f"WEBVTT\n\nNOTE {lesson.title} (Chronos demo lesson)"]
    for cue in lesson_cues(lesson):
        text = " ".join(cue.text.split())  # one line: a blank line would end the cue
        blocks.append(f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{text}")
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
