"""The one error shape every endpoint answers with."""

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    path: str = Field(
        description="Where the problem is: a JSON path into the body (`$.modules[3].version`) "
        "or `header.<name>`, `query.<name>`, `path.<name>`",
        examples=["$.modules[3].version"],
    )
    message: str = Field(examples=["String should have at most 50 characters"])
    code: str | None = Field(default=None, description="Machine-readable kind of problem", examples=["string_too_long"])


class ErrorBody(BaseModel):
    status: int = Field(description="The HTTP status, repeated", examples=[422])
    code: str = Field(description="Machine-readable error code", examples=["validation_failed"])
    message: str = Field(description="What is wrong, for humans")
    details: list[ErrorDetail] = Field(default_factory=list, description="Every individual problem")


class ErrorOut(BaseModel):
    error: ErrorBody
