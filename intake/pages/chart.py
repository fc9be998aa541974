"""The trend chart as inline SVG geometry: computed here, drawn by the template, no script needed."""

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    points: list[tuple[float, float, int]]  # x, y, value

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, int]]  # y, value
    x_labels: list[tuple[float, str]]  # x, day
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM


def line_chart(days: list[date], lines: dict[str, tuple[str, list[int]]]) -> Chart:
    """`lines`: name -> (css class, one value per day). The y axis starts at 0 and ends at a round maximum."""
    top_value = max([value for _, values in lines.values() for value in values] + [1])
    step = max(1, -(-top_value // 4))
    y_max = step * 4
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(index: int) -> float:
        return LEFT + (plot_width / 2 if len(days) == 1 else plot_width * index / (len(days) - 1))

    def y_of(value: int) -> float:
        return TOP + plot_height * (1 - value / y_max)

    series = [Series(name, css_class, [(x_of(i), y_of(v), v) for i, v in enumerate(values)])
              for name, (css_class, values) in lines.items()]
    label_every = max(1, len(days) // 6)
    x_labels = [(x_of(i), day.isoformat()) for i, day in enumerate(days)
                if i % label_every == 0 or i == len(days) - 1]
    return Chart(WIDTH, HEIGHT, series, [(y_of(step * k), step * k) for k in range(5)], x_labels)
