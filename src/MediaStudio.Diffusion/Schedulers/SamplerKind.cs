namespace MediaStudio.Diffusion.Schedulers;

/// <summary>The samplers; CLI names ddpm, ddim, dpmpp_2m and euler_a (see <see cref="SamplerKinds"/>).</summary>
public enum SamplerKind
{
    /// <summary>DDPM ancestral sampling from the posterior q(x_{t-1} | x_t, x0) ("ddpm").</summary>
    Ddpm,

    /// <summary>DDIM, deterministic at eta = 0 ("ddim").</summary>
    Ddim,

    /// <summary>DPM-Solver++(2M), multistep second order in data prediction ("dpmpp_2m").</summary>
    DpmSolverPlusPlus2M,

    /// <summary>Euler ancestral in sigma space ("euler_a").</summary>
    EulerAncestral,
}
