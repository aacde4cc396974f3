"""Scoring script of the smoke test's endpoint (Azure ML inference server: init() once, run() per
request). The model is the JSON file the smoke test's command job wrote: y = slope * x + intercept."""

import glob
import json
import os

model = None


def init():
    global model
    root = os.environ.get("AZUREML_MODEL_DIR", ".")
    path = sorted(glob.glob(os.path.join(root, "**", "model.json"), recursive=True))[0]
    with open(path) as handle:
        model = json.load(handle)


def run(raw_data):
    values = json.loads(raw_data)["data"]
    return [model["slope"] * x + model["intercept"] for x in values]
