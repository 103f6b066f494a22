#!/usr/bin/env python3
"""Reruns the peer solvers on the Solomon instances, for comparison with `tower bench routing`.

Tooling only, never a dependency of Tower:  pip install pyvrp vrplib pyvroom ortools
Usage: scripts/bench-peers.py [DIR] [--time-limit S]   (DIR defaults to bench/solomon)

Distances are double-precision Euclidean. The solvers work in integers, so distances are scaled by 1000 and
travel times rounded up (a solution feasible in integers is then feasible in doubles); the reported distance is
recomputed in doubles from each solver's routes.
"""
import argparse, csv, math, os, sys, time


def load(path):
    import vrplib
    inst = vrplib.read_instance(path, instance_format="solomon")
    coords = inst["node_coord"]
    n = len(coords)
    dist = [[math.dist(coords[i], coords[j]) for j in range(n)] for i in range(n)]
    return inst, dist


def total(routes, dist):
    value = 0.0
    for route in routes:
        prev = 0
        for c in route:
            value += dist[prev][c]
            prev = c
        value += dist[prev][0]
    return value


def pyvrp_solve(path, inst, dist, seconds):
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime
    m = Model()
    tw = inst["time_window"]
    coords = inst["node_coord"]
    nodes = [m.add_location(x=int(x * 1000), y=int(y * 1000)) for x, y in coords]  # PyVRP 0.14: locations first
    depot = m.add_depot(nodes[0], tw_early=int(tw[0][0] * 1000), tw_late=int(tw[0][1] * 1000))
    # A large fixed cost per vehicle: vehicles first, then distance (the Solomon convention).
    m.add_vehicle_type(num_available=int(inst["vehicles"]), capacity=int(inst["capacity"]), start_depot=depot, end_depot=depot, fixed_cost=10 ** 9,
                       tw_early=int(tw[0][0] * 1000), tw_late=int(tw[0][1] * 1000))
    for i in range(1, len(dist)):
        m.add_client(nodes[i], delivery=int(inst["demand"][i]), service_duration=int(inst["service_time"][i] * 1000),
                     tw_early=int(tw[i][0] * 1000), tw_late=int(tw[i][1] * 1000))
    for i, a in enumerate(nodes):
        for j, b in enumerate(nodes):
            d = math.ceil(dist[i][j] * 1000)
            m.add_edge(a, b, distance=d, duration=d)
    result = m.solve(stop=MaxRuntime(seconds), seed=1, display=False)
    # A client activity's idx counts clients from 0; with one depot, customer i is client i - 1.
    routes = [[a.idx + 1 for a in r if a.is_client()] for r in result.best.routes()]
    return routes if result.is_feasible() else None


def ortools_solve(path, inst, dist, seconds):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    n, vehicles = len(dist), int(inst["vehicles"])
    manager = pywrapcp.RoutingIndexManager(n, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    service = inst["service_time"]
    arc = routing.RegisterTransitCallback(lambda i, j: math.ceil(dist[manager.IndexToNode(i)][manager.IndexToNode(j)] * 1000))
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    timecb = routing.RegisterTransitCallback(lambda i, j: math.ceil((dist[manager.IndexToNode(i)][manager.IndexToNode(j)] + service[manager.IndexToNode(i)]) * 1000))
    tw = inst["time_window"]
    routing.AddDimension(timecb, int(tw[0][1] * 1000), int(tw[0][1] * 1000), False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(int(tw[node][0] * 1000), int(tw[node][1] * 1000))
    demand = routing.RegisterUnaryTransitCallback(lambda i: int(inst["demand"][manager.IndexToNode(i)]))
    routing.AddDimensionWithVehicleCapacity(demand, 0, [int(inst["capacity"])] * vehicles, True, "load")
    for v in range(vehicles):
        routing.SetFixedCostOfVehicle(10 ** 9, v)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    routes = []
    for v in range(vehicles):
        index, route = routing.Start(v), []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                route.append(node)
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


def vroom_solve(path, inst, dist, seconds):
    import vroom
    problem = vroom.Input()
    n = len(dist)
    problem.set_durations_matrix(profile="car", matrix_input=[[math.ceil(dist[i][j] * 1000) for j in range(n)] for i in range(n)])
    tw = inst["time_window"]
    for v in range(int(inst["vehicles"])):
        problem.add_vehicle(vroom.Vehicle(v + 1, start=0, end=0, capacity=vroom.Amount([int(inst["capacity"])]),
                                          time_window=vroom.TimeWindow(int(tw[0][0] * 1000), int(tw[0][1] * 1000))))
    for i in range(1, n):
        problem.add_job(vroom.Job(i, location=i, delivery=vroom.Amount([int(inst["demand"][i])]), default_service=int(inst["service_time"][i] * 1000),
                                  time_windows=[vroom.TimeWindow(int(tw[i][0] * 1000), int(tw[i][1] * 1000))]))
    solution = problem.solve(exploration_level=1, nb_threads=1)
    routes = {}
    for row in solution.routes.itertuples():
        if row.type == "job":
            routes.setdefault(row.vehicle_id, []).append(int(row.id))
    return list(routes.values()) if len(solution.unassigned) == 0 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", "bench", "solomon"))
    parser.add_argument("--time-limit", type=float, default=1.0)
    args = parser.parse_args()
    with open(os.path.join(args.dir, "bks.csv")) as handle:
        names = [row["instance"] for row in csv.DictReader(handle)]
    for solver_name, solve in (("PyVRP", pyvrp_solve), ("OR-Tools", ortools_solve), ("VROOM", vroom_solve)):
        vehicles, distance, failures = 0, 0.0, 0
        for name in names:
            inst, dist = load(os.path.join(args.dir, name + ".txt"))
            start = time.time()
            try:
                routes = solve(name, inst, dist, args.time_limit)
            except ImportError as error:
                print(f"{solver_name}: not installed ({error})", file=sys.stderr)
                break
            if routes is None:
                failures += 1
                print(f"{solver_name} {name}: no feasible solution", file=sys.stderr)
                continue
            vehicles += len(routes)
            distance += total(routes, dist)
            print(f"{solver_name:9} {name:6} {len(routes):3d} {total(routes, dist):9.2f} {time.time() - start:5.2f}s", file=sys.stderr)
        else:
            print(f"{solver_name}: {vehicles} vehicles, {distance:.1f} distance over {len(names) - failures} instances"
                  + (f" ({failures} without a feasible solution)" if failures else ""))


if __name__ == "__main__":
    main()
