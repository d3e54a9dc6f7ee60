"""Fixtures the workspace page tests share: signed-in clients and a product with a warranty."""

import pytest
from django.test import Client

from fivestar.products.models import ProductLine, ProductModel, WarrantyPolicy


@pytest.fixture
def client_for():
    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def desk(agent, client_for) -> Client:
    """The agent's browser, signed in."""
    return client_for(agent)


@pytest.fixture
def fridge(db) -> ProductModel:
    line = ProductLine.objects.create(code="fridge", name="冰箱")
    policy = WarrantyPolicy.objects.create(name="冰箱三年", unit_months=36)
    return ProductModel.objects.create(code="BCD-470", name="对开门冰箱", product_line=line,
                                       warranty_policy=policy)
