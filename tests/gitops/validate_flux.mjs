// Validates Flux objects read as a JSON array on stdin with the models of the pinned npm package
// @kubernetes-models/flux-cd (root package.json), whose validators are compiled from the Flux
// controllers' API types. Prints a JSON array: one list of error strings per object.
import { HelmRelease } from "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2";
import { Kustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1";
import { GitRepository, HelmRepository, OCIRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1";

const MODELS = {
  "helm.toolkit.fluxcd.io/v2": { HelmRelease },
  "kustomize.toolkit.fluxcd.io/v1": { Kustomization },
  "source.toolkit.fluxcd.io/v1": { GitRepository, HelmRepository, OCIRepository },
};

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((object) => {
  const Model = (MODELS[object.apiVersion] || {})[object.kind];
  if (!Model) return [`no model for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return String(error.message).split("\n").filter((line) => line.trim());
  }
});
process.stdout.write(JSON.stringify(results));
