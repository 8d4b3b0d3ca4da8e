"""numkern.pde.plotting is the home of plot_solution; numkern.pde.plot_solution is a deprecated alias."""

import pytest


def test_plot_solution_lives_in_the_plotting_module_and_the_old_name_warns():
    import numkern.pde as pde
    from numkern.pde import plotting
    from numkern.pde._plot import plot_solution

    assert plotting.plot_solution is plot_solution
    assert "plot_solution" not in pde.__all__ and "plotting" in pde.__all__
    with pytest.warns(DeprecationWarning, match="numkern.pde.plotting.plot_solution"):
        alias = pde.plot_solution
    assert alias is plot_solution
    with pytest.raises(AttributeError, match="no_such_name"):
        pde.no_such_name
