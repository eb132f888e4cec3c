from rest_framework import serializers

from windows.models import Hall, ServiceItem, Window


class HallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hall
        fields = ["code", "name", "district", "address", "supervision_phone", "is_active"]


class ServiceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "name",
            "category",
            "handling",
            "promised_working_days",
            "materials_list",
            "is_published",
        ]


class WindowSerializer(serializers.ModelSerializer):
    hall = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # None for a specialist window (no zone) and a window of no stationed department.
    zone = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    department = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    is_specialist = serializers.BooleanField(read_only=True)
    service_codes = serializers.SerializerMethodField()

    class Meta:
        model = Window
        fields = [
            "hall",
            "number",
            "name",
            "zone",
            "is_specialist",
            "department",
            "is_active",
            "service_codes",
        ]

    def get_service_codes(self, window: Window) -> list[str]:
        return [item.code for item in window.service_items.all()]
