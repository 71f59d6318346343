import type * as tf from '@tensorflow/tfjs-core';
import type { ApplyOptions, WeightParametrization, WeightParametrizationFactory } from '@gankit/core';
import { glorotUniform, zeros } from '../initializers';
import type { Initializer } from '../initializers';
import { createVariable, disposeVariables } from '../layer';
import type { LayerBuildContext } from '../layer';

/** Settings shared by the layers with a kernel and an optional bias (dense, conv2d, conv2dTranspose). */
export interface KernelLayerConfig {
  /** Add a bias vector (default `true`). */
  readonly useBias?: boolean | undefined;
  /** Initialiser of the kernel (default {@link glorotUniform}). */
  readonly kernelInitializer?: Initializer | undefined;
  /** Initialiser of the bias (default {@link zeros}). */
  readonly biasInitializer?: Initializer | undefined;
  /**
   * Reparametrizes the kernel at every forward pass (e.g. spectral normalization from
   * `@gankit/regularizers`). It is called once with the kernel's shape and the name
   * `<layer>/kernel`; its variables are reported as the layer's non-trainable variables.
   */
  readonly weightParametrization?: WeightParametrizationFactory | undefined;
  /** An explicit short name instead of the automatic `<kind>_<i>`. */
  readonly name?: string | undefined;
}

/** A kernel, an optional bias and an optional kernel reparametrization, created in a fixed order. */
export class KernelWeights {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null = null;
  readonly parametrization: WeightParametrization | null = null;
  readonly trainable: tf.Variable[] = [];
  readonly nonTrainable: tf.Variable[] = [];

  constructor(ctx: LayerBuildContext, kernelShape: number[], biasSize: number, config: KernelLayerConfig) {
    const kernelInit = config.kernelInitializer ?? glorotUniform();
    this.kernel = createVariable(`${ctx.name}/kernel`, () => kernelInit(kernelShape, ctx.random), true);
    this.trainable.push(this.kernel);
    try {
      if (config.useBias ?? true) {
        const biasInit = config.biasInitializer ?? zeros();
        this.bias = createVariable(`${ctx.name}/bias`, () => biasInit([biasSize], ctx.random), true);
        this.trainable.push(this.bias);
      }
      if (config.weightParametrization) {
        this.parametrization = config.weightParametrization([...kernelShape], `${ctx.name}/kernel`);
        this.nonTrainable.push(...this.parametrization.variables);
      }
    } catch (e) {
      disposeVariables(this.trainable);
      throw e;
    }
  }

  /** The kernel to use in this forward pass (reparametrized when a parametrization is set). */
  effectiveKernel(options: ApplyOptions): tf.Tensor {
    return this.parametrization ? this.parametrization.apply(this.kernel, options) : this.kernel;
  }

  /** Frees the kernel, the bias and the parametrization's state. */
  dispose(): void {
    disposeVariables(this.trainable);
    this.parametrization?.dispose();
  }
}
