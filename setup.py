"""What goes into the package, beside ``pyproject.toml``'s metadata.

The shipped scenarios stay at the repository root (``scenarios/``, where the
README, the tests and a clone use them) and are also installed inside the
package as ``simulator/shipped_scenarios/``, so ``pip install .`` carries them
and ``staffsim run`` works from any folder. ``pyproject.toml`` alone cannot map
a folder outside the package into it while also finding the packages.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["simulator*"]), "simulator.shipped_scenarios"],
    package_dir={"simulator.shipped_scenarios": "scenarios"},
    package_data={
        "simulator": ["py.typed"],
        "simulator.shipped_scenarios": ["*.yaml", "shifts/*.yaml"],
    },
)
