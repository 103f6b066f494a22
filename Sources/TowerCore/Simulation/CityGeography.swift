/// The geography generated scenarios use: Rio de Janeiro's delivery areas as latitude/longitude boxes
/// around real neighbourhoods (WGS 84), with typical motorbike speeds, and four real depot locations.
public enum CityGeography {
    public static let city = "Rio de Janeiro"
    public static let utcOffset = "-03:00"
    /// What its costs are counted in.
    public static let currency = "BRL"

    public static let zones: [Zone] = [
        Zone(id: "centro", name: "Centro", area: GeoBox(south: -22.925, west: -43.205, north: -22.895, east: -43.170), baseSpeedKmh: 16),
        Zone(id: "zona-sul", name: "Zona Sul", area: GeoBox(south: -22.990, west: -43.235, north: -22.936, east: -43.170), baseSpeedKmh: 18),
        Zone(id: "tijuca", name: "Tijuca", area: GeoBox(south: -22.935, west: -43.265, north: -22.906, east: -43.215), baseSpeedKmh: 19),
        Zone(id: "zona-norte", name: "Zona Norte", area: GeoBox(south: -22.905, west: -43.360, north: -22.850, east: -43.240), baseSpeedKmh: 21),
        Zone(id: "jacarepagua", name: "Jacarepaguá", area: GeoBox(south: -22.980, west: -43.400, north: -22.937, east: -43.330), baseSpeedKmh: 24),
        Zone(id: "barra", name: "Barra da Tijuca", area: GeoBox(south: -23.020, west: -43.420, north: -22.995, east: -43.300), baseSpeedKmh: 28),
    ]

    public static let hubs: [Hub] = [
        Hub(id: "hub-cidade-nova", name: "Cidade Nova", location: GeoPoint(lat: -22.9105, lon: -43.2010), zone: "centro"),
        Hub(id: "hub-botafogo", name: "Botafogo", location: GeoPoint(lat: -22.9510, lon: -43.1850), zone: "zona-sul"),
        Hub(id: "hub-meier", name: "Méier", location: GeoPoint(lat: -22.9010, lon: -43.2800), zone: "zona-norte"),
        Hub(id: "hub-barra", name: "Barra", location: GeoPoint(lat: -23.0000, lon: -43.3650), zone: "barra"),
    ]

    /// Share of the day's orders per zone.
    public static let demand: [String: Double] = [
        "centro": 0.18, "zona-sul": 0.26, "tijuca": 0.14, "zona-norte": 0.2, "jacarepagua": 0.08, "barra": 0.14,
    ]

    static let firstNames = ["Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João",
                             "Karina", "Lucas", "Mariana", "Nicolas", "Otávio", "Paula", "Rafael", "Sofia", "Thiago", "Vitória"]
    static let lastNames = ["Almeida", "Barbosa", "Costa", "Dias", "Ferreira", "Gomes", "Lima", "Martins", "Nascimento", "Oliveira",
                            "Pereira", "Ribeiro", "Santos", "Silva", "Souza", "Teixeira"]
    static let notes = ["", "", "", "", "", "portão azul", "ligar antes de chegar", "deixar na portaria", "apto 302, interfone quebrado",
                        "cachorro bravo", "entregar após 14h se possível"]
}
